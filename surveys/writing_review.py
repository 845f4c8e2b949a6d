"""The researcher's review of writers' texts: the queue with its integrity signals (paste
events, time spent on the task), and the decision. Approved texts become `ok` arguments that
participants may be assigned; rejected ones keep their text and the reason, and are never
shown. Used by `persuasion arguments review STUDY` and the dashboard's writing page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from study.store import ArgumentRow, ClaimRow, Store, WritingTaskRow, get_study_row, log_event
from surveys.pages import FormError
from surveys.writing import PENDING

DECISIONS = {"approve": "ok", "reject": "rejected"}


@dataclass(frozen=True)
class WrittenText:
    """A writer's submitted text and what the researcher needs to judge it."""

    argument_id: int
    task_id: int
    writer: str
    claim: str
    text: str
    status: str
    words: int
    pastes: int
    seconds: int | None
    submitted_at: str
    reason: str = ""


def review_queue(store: Store, study_name: str, everything: bool = False) -> list[WrittenText]:
    """The study's texts from writing tasks awaiting review (all of them with `everything`)."""
    with store.session() as session:
        study_id = get_study_row(session, study_name).id
        query = (
            select(ArgumentRow, WritingTaskRow, ClaimRow.text)
            .join(WritingTaskRow, WritingTaskRow.argument_id == ArgumentRow.id)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.study_id == study_id)
            .order_by(ArgumentRow.id)
        )
        if not everything:
            query = query.where(ArgumentRow.status == PENDING)
        return [_written(a, t, claim) for a, t, claim in session.execute(query)]


def _written(argument: ArgumentRow, task: WritingTaskRow, claim: str) -> WrittenText:
    quality = argument.quality or {}
    review = quality.get("review") or {}
    return WrittenText(
        argument.id,
        task.id,
        argument.writer,
        claim,
        argument.text,
        argument.status,
        len(argument.text.split()),
        int(quality.get("pastes", task.paste_count) or 0),
        quality.get("seconds"),
        task.submitted_at.isoformat() if task.submitted_at else "",
        str(review.get("reason", "")),
    )


def decide(
    store: Store,
    study_name: str,
    argument_id: int,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
) -> WrittenText:
    """Approve or reject one pending text (`decision`: approve or reject; a rejection needs a
    reason). Refuses texts that are not from this study's writing tasks or already decided."""
    if decision not in DECISIONS:
        raise FormError("decision", f"decision {decision!r}: use approve or reject.")
    reason = " ".join(reason.split())[:500]
    if decision == "reject" and not reason:
        raise FormError("reason", "A rejection needs a reason (--reason TEXT).")
    with store.session() as session:
        study_id = get_study_row(session, study_name).id
        found = session.execute(
            select(ArgumentRow, WritingTaskRow, ClaimRow.text)
            .join(WritingTaskRow, WritingTaskRow.argument_id == ArgumentRow.id)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.id == argument_id, ArgumentRow.study_id == study_id)
            .with_for_update(of=ArgumentRow)
        ).first()
        if found is None:
            raise FormError(
                "no_text",
                f"no written text {argument_id} in study {study_name!r}; list them with "
                f"`persuasion arguments review {study_name}`.",
                404,
            )
        argument, task, claim = found
        if argument.status != PENDING:
            raise FormError(
                "decided", f"text {argument_id} was already reviewed ({argument.status}).", 409
            )
        argument.status = DECISIONS[decision]
        stamp = (now or datetime.now(UTC)).isoformat()
        review = {"decision": decision, "reason": reason, "at": stamp}
        argument.quality = {**(argument.quality or {}), "review": review}
        log_event(session, study_id, f"writing.{decision}d", {"argument": argument.id})
        return _written(argument, task, claim)
