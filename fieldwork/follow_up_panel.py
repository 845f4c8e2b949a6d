"""The simulated panel's answers to a follow-up wave, written through the one row writer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ConversationRow,
    ConversationTurnRow,
    FollowUpSessionRow,
    RatingRow,
    SessionRow,
    Store,
    WaveRow,
    add_follow_up_rating,
    complete_follow_up,
    start_follow_up,
    utcnow,
)
from surveys import FollowUpQuestion, follow_up_code, simulate_follow_up


def follow_up_questions(store: Store, follow_id: int) -> list[FollowUpQuestion]:
    """Every rated item of the invited participants who have not answered yet, in order
    (with its conversation's participant turns, None for a static item)."""
    turns = (
        select(ConversationRow.assignment_id, func.count(ConversationTurnRow.id).label("n"))
        .join(ConversationTurnRow, ConversationTurnRow.conversation_id == ConversationRow.id)
        .where(ConversationTurnRow.role == "participant")
        .group_by(ConversationRow.assignment_id)
        .subquery()
    )
    with store.session() as session:
        original = session.get_one(WaveRow, follow_id).follows_wave_id
        rows = session.execute(
            select(
                FollowUpSessionRow.id,
                AssignmentRow.id,
                ArgumentRow.writer,
                ArgumentRow.direction,
                RatingRow.before,
                turns.c.n,
            )
            .join(SessionRow, SessionRow.participant_id == FollowUpSessionRow.participant_id)
            .join(AssignmentRow, AssignmentRow.session_id == SessionRow.id)
            .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
            .outerjoin(turns, turns.c.assignment_id == AssignmentRow.id)
            .where(
                FollowUpSessionRow.wave_id == follow_id,
                FollowUpSessionRow.status != "completed",
                SessionRow.wave_id == original,
                RatingRow.after.is_not(None),
            )
            .order_by(FollowUpSessionRow.participant_id, SessionRow.id, AssignmentRow.position)
        ).all()
    return [FollowUpQuestion(*row) for row in rows]


def answer_follow_up(
    store: Store, study: Study, follow_id: int, seed: int, now: datetime | None = None
) -> int:
    """Simulated participants answer the follow-up (each committed on its own, so an
    interrupted run keeps what it wrote and a re-run answers only the rest). Returns how many
    answered; `now`: when they answer, default now)."""
    answers = simulate_follow_up(study, follow_up_questions(store, follow_id), seed)
    code = follow_up_code(study)
    for follow_session, items in answers.items():
        with store.session() as session:
            row = session.get_one(FollowUpSessionRow, follow_session, with_for_update=True)
            when = now or utcnow()
            start_follow_up(row, when)
            for assignment_id, support in items:
                add_follow_up_rating(session, row.id, assignment_id, support, when)
            complete_follow_up(row, when, code)
    return len(answers)
