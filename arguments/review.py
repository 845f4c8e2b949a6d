"""Reading stored arguments for review: list, show, export (CSV or JSONL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from common import UsageError, write_table
from study.store import ArgumentRow, NotFoundError, Store, get_study_row

EXPORT_COLUMNS = (
    "id",
    "request_key",
    "claim",
    "writer",
    "writer_kind",
    "provider",
    "model",
    "generation",
    "model_class",
    "generation_order",
    "strategy",
    "replicate",
    "direction",
    "prompt_hash",
    "stop_reason",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "status",
    "quality_failed",
    "words",
    "placeholder",
    "created_at",
    "text",
)


def argument_record(row: ArgumentRow, claim_key: str) -> dict[str, Any]:
    """One argument as a flat record (the export's columns)."""
    quality = row.quality or {}
    return {
        "id": row.id,
        "request_key": row.request_key,
        "claim": claim_key,
        "writer": row.writer,
        "writer_kind": row.writer_kind,
        "provider": row.provider,
        "model": row.model,
        "generation": row.generation,
        "model_class": row.model_class,
        "generation_order": row.generation_order,
        "strategy": row.strategy,
        "replicate": row.replicate,
        "direction": row.direction,
        "prompt_hash": row.prompt_hash,
        "stop_reason": row.stop_reason,
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "cost_usd": round(row.cost_usd, 6),
        "status": row.status,
        "quality_failed": ";".join(quality.get("failed", [])),
        "words": quality.get("words", len(row.text.split())),
        "placeholder": row.placeholder,
        "created_at": row.created_at.isoformat() if row.created_at else "",
        "text": row.text,
    }


def list_arguments(
    store: Store, study: str, *, writer: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The study's arguments as records, optionally one writer's or one status's."""
    from study.store import ClaimRow

    with store.session() as session:
        study_id = get_study_row(session, study).id
        query = (
            select(ArgumentRow, ClaimRow.key)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.study_id == study_id)
            .order_by(ArgumentRow.id)
        )
        if writer:
            query = query.where(ArgumentRow.writer == writer)
        if status:
            query = query.where(ArgumentRow.status == status)
        return [argument_record(row, key) for row, key in session.execute(query)]


def show_argument(store: Store, ref: str) -> dict[str, Any]:
    """One argument by id or request key, with its full provenance."""
    from study.store import ClaimRow

    with store.session() as session:
        query = select(ArgumentRow, ClaimRow.key).join(
            ClaimRow, ClaimRow.id == ArgumentRow.claim_id
        )
        cond = (
            ArgumentRow.id == int(ref)
            if ref.isascii() and ref.isdigit()
            else ArgumentRow.request_key == ref
        )
        found = session.execute(query.where(cond)).first()
        if found is None:
            raise NotFoundError(
                f"no argument {ref!r}; pass an id or request key from `persuasion arguments list`"
            )
        row, key = found
        record = argument_record(row, key)
        record["request_params"] = row.request_params
        record["quality"] = row.quality
        return record


def export_arguments(store: Store, study: str, path: Path) -> int:
    """Write the study's arguments to a .csv or .jsonl file; returns how many."""
    if path.suffix not in (".csv", ".jsonl"):
        raise UsageError(f"{path}: export to a .csv or .jsonl file")
    records = list_arguments(store, study)
    write_table(path, EXPORT_COLUMNS, records)
    return len(records)
