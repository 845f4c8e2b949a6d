"""The spending ledger: every attempt at a model request, in the store, before it is sent.

An attempt is written (state `sent`, with its worst-case cost) in its own transaction before
the request leaves, and updated in one transaction as soon as the outcome arrives: `answered`
(usage and cost; the argument row in the same transaction when the answer is accepted) or
`failed` (the provider refused it, so it was not billed). An attempt left `sent` had an
unknown outcome (the process died, the answer timed out): its worst-case cost counts as spent
until a batch's results resolve it. Nothing is buffered, so a crash can only lose what was in
flight."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from study.store import ArgumentRow, GenerationRequestRow, utcnow

SENT, ANSWERED, FAILED = "sent", "answered", "failed"


@dataclass(frozen=True)
class Spending:
    """What a study has spent: billed attempts, and attempts whose outcome is unknown
    (counted at their worst case)."""

    answered_usd: float = 0.0
    unknown_usd: float = 0.0
    unknown: int = 0
    attempts: int = 0

    @property
    def total_usd(self) -> float:
        return self.answered_usd + self.unknown_usd


@dataclass(frozen=True)
class Outgoing:
    """An attempt about to be sent."""

    key: str
    writer: str
    model: str
    worst_usd: float


def spending(session: Session, study_id: int) -> Spending:
    sent = GenerationRequestRow.state == SENT
    billed = GenerationRequestRow.state == ANSWERED
    answered = case((billed, GenerationRequestRow.cost_usd), else_=0)
    unknown = case((sent, GenerationRequestRow.worst_usd), else_=0)
    row = session.execute(
        select(
            func.coalesce(func.sum(answered), 0.0),
            func.coalesce(func.sum(unknown), 0.0),
            func.coalesce(func.sum(case((sent, 1), else_=0)), 0),
            func.count(),
        ).where(GenerationRequestRow.study_id == study_id)
    ).one()
    return Spending(float(row[0]), float(row[1]), int(row[2]), int(row[3]))


def answered_by_key(session: Session, study_id: int) -> tuple[Counter[str], dict[str, float]]:
    """Answered attempts and their cost per request key (regenerations count across runs)."""
    rows = session.execute(
        select(
            GenerationRequestRow.request_key,
            func.count(),
            func.coalesce(func.sum(GenerationRequestRow.cost_usd), 0.0),
        )
        .where(GenerationRequestRow.study_id == study_id, GenerationRequestRow.state == ANSWERED)
        .group_by(GenerationRequestRow.request_key)
    )
    attempts: Counter[str] = Counter()
    costs: dict[str, float] = {}
    for key, n, cost in rows:
        attempts[key], costs[key] = int(n), float(cost)
    return attempts, costs


def open_attempts(
    session: Session,
    study_id: int,
    items: Iterable[Outgoing],
    *,
    api: str,
    run: str,
    submission: str = "",
) -> list[int]:
    """Write attempts in state `sent` in one statement; returns their ids (in order)."""
    now = utcnow()
    values = [
        {
            "study_id": study_id,
            "request_key": item.key,
            "writer": item.writer,
            "model": item.model,
            "api": api,
            "state": SENT,
            "submission": submission,
            "batch_id": "",
            "worst_usd": item.worst_usd,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
            "error": "",
            "run": run,
            "sent_at": now,
        }
        for item in items
    ]
    if not values:
        return []
    statement = insert(GenerationRequestRow).returning(
        GenerationRequestRow.id, sort_by_parameter_order=True
    )
    return list(session.scalars(statement, values))


def store_argument(session: Session, row: ArgumentRow) -> None:
    """Insert an argument inside the caller's transaction; a key another run stored meanwhile
    is skipped (ON CONFLICT DO NOTHING), never doubled, and the ledger update is kept."""
    values = {
        c.key: getattr(row, c.key)
        for c in ArgumentRow.__table__.columns
        if getattr(row, c.key) is not None
    }
    dialect = session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(ArgumentRow)
    session.execute(statement.on_conflict_do_nothing(index_elements=["request_key"]), [values])


@dataclass(frozen=True)
class Submission:
    """Batch attempts written ahead of a submission that was never recorded with a batch id
    (the process died between submitting and recording, or while submitting)."""

    token: str
    writer: str
    since: datetime
    keys: tuple[str, ...]


def unrecorded_submissions(session: Session, study_id: int) -> list[Submission]:
    rows = session.execute(
        select(
            GenerationRequestRow.submission,
            GenerationRequestRow.writer,
            GenerationRequestRow.sent_at,
            GenerationRequestRow.request_key,
        ).where(
            GenerationRequestRow.study_id == study_id,
            GenerationRequestRow.api == "batch",
            GenerationRequestRow.state == SENT,
            GenerationRequestRow.batch_id == "",
        )
    )
    groups: dict[str, tuple[str, datetime, list[str]]] = {}
    for token, writer, sent_at, key in rows:
        group = groups.setdefault(token, (writer, sent_at, []))
        group[2].append(key)
    return [Submission(t, w, aware(s), tuple(k)) for t, (w, s, k) in groups.items()]


def assign_batch(session: Session, submission: str, batch_id: str) -> None:
    session.execute(
        update(GenerationRequestRow)
        .where(GenerationRequestRow.submission == submission)
        .values(batch_id=batch_id)
    )


def fail_submission(session: Session, submission: str, error: str) -> None:
    session.execute(
        update(GenerationRequestRow)
        .where(GenerationRequestRow.submission == submission, GenerationRequestRow.state == SENT)
        .values(state=FAILED, error=error[:2000], ended_at=utcnow())
    )


def close_batch_item(
    session: Session,
    batch_id: str,
    key: str,
    usage: tuple[int, int, float] | None,
    error: str = "",
) -> None:
    """Resolve a batch item's attempt: answered with (input, output, cost), else failed."""
    where = (
        GenerationRequestRow.batch_id == batch_id,
        GenerationRequestRow.request_key == key,
        GenerationRequestRow.state == SENT,
    )
    if usage is None:
        values: dict[str, object] = {"state": FAILED, "error": error[:2000]}
    else:
        values = {
            "state": ANSWERED,
            "input_tokens": usage[0],
            "output_tokens": usage[1],
            "cost_usd": usage[2],
        }
    session.execute(update(GenerationRequestRow).where(*where).values(ended_at=utcnow(), **values))


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
