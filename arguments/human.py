"""Human writers: writing tasks per claim (instructions, word range and bonus text from the
study file, stored for the survey app to show) and import of human arguments from a CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arguments.errors import GenerationError
from arguments.plan import HUMAN_STRATEGY, request_key
from arguments.quality import check
from study import Study
from study.store import ArgumentRow, ClaimRow, Store, WritingTaskRow, utcnow

IMPORT_COLUMNS = ("claim", "writer", "text")
NO_HUMANS = '(none: add a writer with kind = "human")'


def create_writing_tasks(store: Store, study: Study, study_id: int) -> int:
    """One open task per (opinion claim, human writer, slot) not stored yet; returns how many
    were created."""
    writers = [w for w in study.writers if w.kind == "human"]
    if not writers:
        return 0
    created = 0
    with store.session() as session:
        claims = session.scalars(
            select(ClaimRow).where(ClaimRow.study_id == study_id, ClaimRow.kind == "opinion")
        ).all()
        have = set(
            session.execute(
                select(WritingTaskRow.claim_id, WritingTaskRow.writer, WritingTaskRow.slot).where(
                    WritingTaskRow.study_id == study_id
                )
            )
        )
        for claim in claims:
            for writer in writers:
                for slot in range(writer.per_claim):
                    if (claim.id, writer.id, slot) in have:
                        continue
                    session.add(
                        WritingTaskRow(
                            study_id=study_id,
                            claim_id=claim.id,
                            writer=writer.id,
                            slot=slot,
                            instructions=study.human_writing.instructions,
                            words_min=study.arguments.words_min,
                            words_max=study.arguments.words_max,
                            bonus=study.human_writing.bonus,
                        )
                    )
                    created += 1
    return created


@dataclass(frozen=True)
class HumanImportSummary:
    imported: int
    skipped: int
    flagged: int


def read_import(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a human-argument CSV, checking its columns."""
    if not path.is_file():
        raise GenerationError(f"{path}: no such file; pass a CSV with columns claim,writer,text")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise GenerationError(
                f"{path}:1: missing column(s) {', '.join(missing)}; the header needs "
                f"{', '.join(IMPORT_COLUMNS)} (and optionally slot)"
            )
        return [(n, row) for n, row in enumerate(reader, start=2)]


def import_human_arguments(
    store: Store, study: Study, study_id: int, path: Path
) -> HumanImportSummary:
    """Store human arguments from a CSV (claim id, human writer id, text, optional slot).

    Rows already imported (same claim, writer and slot) are skipped; the matching writing
    task, if any, is marked submitted. Nothing is stored if any row is invalid."""
    humans = {w.id for w in study.writers if w.kind == "human"}
    rows = read_import(path)
    imported = skipped = flagged = 0
    with store.session() as session:
        claims = {
            c.key: c for c in session.scalars(select(ClaimRow).where(ClaimRow.study_id == study_id))
        }
        for line, row in rows:
            claim, writer = claims.get(row["claim"]), row["writer"]
            if claim is None:
                raise GenerationError(
                    f"{path}:{line}: unknown claim {row['claim']!r} in study {study.name!r}"
                )
            if writer not in humans:
                raise GenerationError(
                    f"{path}:{line}: {writer!r} is not a human writer of the study; use one of: "
                    f"{', '.join(sorted(humans)) or NO_HUMANS}"
                )
            slot = int(row.get("slot") or 0)
            key = request_key(study.name, claim.key, writer, HUMAN_STRATEGY, slot, "")
            if session.scalar(select(ArgumentRow.id).where(ArgumentRow.request_key == key)):
                skipped += 1
                continue
            report = check(study, row["text"], "human")
            argument = ArgumentRow(
                study_id=study_id,
                claim_id=claim.id,
                request_key=key,
                writer=writer,
                writer_kind="human",
                provider="human",
                strategy=HUMAN_STRATEGY,
                replicate=slot,
                request_params={"source": str(path), "line": line},
                direction=1,
                text=row["text"].strip(),
                quality=report.as_json(),
                status="ok" if report.ok else "flagged",
            )
            session.add(argument)
            session.flush()
            _mark_task_submitted(session, study_id, argument)
            imported += 1
            flagged += not report.ok
    return HumanImportSummary(imported, skipped, flagged)


def _mark_task_submitted(session: Session, study_id: int, argument: ArgumentRow) -> None:
    """The writing task of an imported argument (same claim, writer and slot), if any, is
    submitted with it."""
    task = session.scalar(
        select(WritingTaskRow).where(
            WritingTaskRow.study_id == study_id,
            WritingTaskRow.claim_id == argument.claim_id,
            WritingTaskRow.writer == argument.writer,
            WritingTaskRow.slot == argument.replicate,
        )
    )
    if task is not None:
        task.status, task.argument_id, task.submitted_at = "submitted", argument.id, utcnow()
