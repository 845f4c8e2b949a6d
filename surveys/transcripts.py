"""Conversation transcripts: every stored turn, one row each, in conversation order.

No platform ids: a participant is the store's own participant number, a session its number
(the researcher dashboard shows a transcript by it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select

from common import UsageError, write_table
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    ConversationRow,
    ConversationTurnRow,
    SessionRow,
    Store,
    get_study_row,
)

COLUMNS = (
    "study",
    "session",
    "participant",
    "item",
    "claim",
    "writer",
    "strategy",
    "direction",
    "status",
    "end_reason",
    "turn",
    "role",
    "text",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "latency_ms",
    "pastes",
    "keystrokes",
    "typing_ms",
    "placeholder",
    "started_at",
    "created_at",
)


def _query(study_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select(
            SessionRow.id.label("session"),
            SessionRow.participant_id.label("participant"),
            (AssignmentRow.position + 1).label("item"),
            ClaimRow.key.label("claim"),
            ArgumentRow.writer,
            ArgumentRow.strategy,
            ArgumentRow.direction,
            ConversationRow.status,
            ConversationRow.end_reason,
            ConversationTurnRow.turn,
            ConversationTurnRow.role,
            ConversationTurnRow.text,
            ConversationTurnRow.input_tokens,
            ConversationTurnRow.output_tokens,
            ConversationTurnRow.cost_usd,
            ConversationTurnRow.latency_ms,
            ConversationTurnRow.pastes,
            ConversationTurnRow.keystrokes,
            ConversationTurnRow.typing_ms,
            ConversationTurnRow.placeholder,
            ConversationTurnRow.started_at,
            ConversationTurnRow.created_at,
        )
        .select_from(ConversationTurnRow)
        .join(ConversationRow, ConversationRow.id == ConversationTurnRow.conversation_id)
        .join(SessionRow, SessionRow.id == ConversationRow.session_id)
        .join(AssignmentRow, AssignmentRow.id == ConversationRow.assignment_id)
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .where(ConversationRow.study_id == study_id)
        # a turn's participant message before the model's reply
        .order_by(
            SessionRow.id,
            AssignmentRow.position,
            ConversationTurnRow.turn,
            ConversationTurnRow.role.desc(),
        )
    )


def transcript_rows(
    store: Store, study: str, session_id: int | None = None
) -> list[dict[str, Any]]:
    """Every turn of the study's conversations (of one session when given)."""
    with store.session() as session:
        row = get_study_row(session, study)
        query = _query(row.id)
        if session_id is not None:
            query = query.where(SessionRow.id == session_id)
        out = []
        for record in session.execute(query).mappings():
            item = {"study": row.name, **dict(record)}
            for key in ("started_at", "created_at"):
                item[key] = item[key].isoformat() if item[key] is not None else ""
            out.append({c: item[c] for c in COLUMNS})
        return out


def export_transcripts(store: Store, study: str, path: Path) -> int:
    """Write every turn of the study's conversations to a .jsonl or .csv file; returns the
    number of turns."""
    if path.suffix not in (".csv", ".jsonl"):
        raise UsageError(f"{path}: export transcripts to a .jsonl or .csv file")
    rows = transcript_rows(store, study)
    write_table(path, COLUMNS, rows)
    return len(rows)


@dataclass(frozen=True)
class ConversationSummary:
    """A study's conversations by status, their replies and what the replies cost (those in
    progress separately)."""

    by_status: dict[str, int]
    replies: int
    cost_usd: float
    open_cost_usd: float

    def line(self) -> str:
        counts = ", ".join(
            f"{self.by_status.get(s, 0)} {label}"
            for s, label in (("open", "in progress"), ("ended", "ended"), ("failed", "failed"))
        )
        return (
            f"Conversations: {counts}; {self.replies} replies, ${self.cost_usd:.2f} "
            f"(in progress ${self.open_cost_usd:.2f})"
        )


def conversation_summary(store: Store, study_id: int) -> ConversationSummary:
    with store.session() as session:
        rows = session.execute(
            select(
                ConversationRow.status,
                func.count(func.distinct(ConversationRow.id)),
                func.count(ConversationTurnRow.id),
                func.coalesce(func.sum(ConversationTurnRow.cost_usd), 0.0),
            )
            .outerjoin(
                ConversationTurnRow,
                (ConversationTurnRow.conversation_id == ConversationRow.id)
                & (ConversationTurnRow.role == "model"),
            )
            .where(ConversationRow.study_id == study_id)
            .group_by(ConversationRow.status)
        ).all()
    by_status = {str(s): int(n) for s, n, _, _ in rows}
    cost = {str(s): float(c) for s, _, _, c in rows}
    return ConversationSummary(
        by_status, sum(int(r) for _, _, r, _ in rows), sum(cost.values()), cost.get("open", 0.0)
    )
