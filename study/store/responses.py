"""The one writer of participant, survey-session, assignment, rating and attention-answer rows,
and of follow-up sessions and their ratings.

Every path that records what participants did goes through these functions: the survey app
(a session started, items reserved, each answer saved as it arrives), the simulated panel
and the importers of published datasets (whole respondents at once, `write_respondents`).
They only add and flush rows in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from study.store.models import (
    AssignmentRow,
    AttentionAnswerRow,
    FollowUpRatingRow,
    FollowUpSessionRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
)


def add_participant(
    session: Session, study_id: int, platform: str, id_hash: str, simulated: bool = False
) -> ParticipantRow:
    """A participant of the study, known only by the keyed hash of their platform id."""
    person = ParticipantRow(
        study_id=study_id, platform=platform, platform_id_hash=id_hash, simulated=simulated
    )
    session.add(person)
    session.flush()
    return person


def add_session(
    session: Session,
    participant_id: int,
    wave_id: int,
    token_hash: str,
    *,
    platform_session: str = "",
    expires_at: datetime | None = None,
) -> SessionRow:
    """A survey session that has just started (status `active`, at the first step)."""
    sess = SessionRow(
        participant_id=participant_id,
        wave_id=wave_id,
        token_hash=token_hash,
        platform_session=platform_session[:200],
        expires_at=expires_at,
    )
    session.add(sess)
    session.flush()
    return sess


def reserve_items(
    session: Session, session_id: int, argument_ids: Sequence[int], until: datetime
) -> list[AssignmentRow]:
    """The session's items, in order, reserved until `until`."""
    rows = [
        AssignmentRow(
            session_id=session_id,
            argument_id=a,
            position=i,
            status="reserved",
            reserved_until=until,
        )
        for i, a in enumerate(argument_ids)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def add_before(session: Session, assignment_id: int, before: int, now: datetime) -> RatingRow:
    """The before-rating of an item: the rating row starts with it (and is then locked)."""
    rating = RatingRow(assignment_id=assignment_id, before=before, before_at=now)
    session.add(rating)
    return rating


def record_reading(rating: RatingRow, reading_ms: int, focus_losses: int, pastes: int) -> None:
    """The argument's reading time (measured by the server) and the page's integrity signals."""
    rating.reading_ms = reading_ms
    rating.focus_losses = focus_losses
    rating.pastes = pastes


def record_after(session: Session, rating: RatingRow, after: int, now: datetime) -> None:
    """The after-rating of an item, which completes its assignment."""
    rating.after = after
    rating.after_at = now
    assignment = session.get(AssignmentRow, rating.assignment_id)
    if assignment is not None:
        assignment.status = "completed"


def add_attention_answer(
    session: Session, session_id: int, check_key: str, answer: str, passed: bool
) -> AttentionAnswerRow:
    row = AttentionAnswerRow(
        session_id=session_id, check_key=check_key, answer=answer, passed=passed
    )
    session.add(row)
    session.flush()
    return row


def complete_session(sess: SessionRow, now: datetime, completion_code: str) -> None:
    sess.status = "completed"
    sess.completed_at = now
    sess.completion_code = completion_code


def invite_follow_up(
    session: Session, wave_id: int, participant_id: int, token_hash: str
) -> FollowUpSessionRow:
    """A participant of the original wave invited to its follow-up wave `wave_id` (status
    `invited`); `token_hash` is the SHA-256 of their personal follow-up token."""
    row = FollowUpSessionRow(wave_id=wave_id, participant_id=participant_id, token_hash=token_hash)
    session.add(row)
    session.flush()
    return row


def start_follow_up(row: FollowUpSessionRow, now: datetime, platform_session: str = "") -> None:
    """An invited participant opened the follow-up (once; a reload keeps the first time)."""
    if row.started_at is None:
        row.started_at = now
    if row.status == "invited":
        row.status = "active"
    if platform_session and not row.platform_session:
        row.platform_session = platform_session[:200]


def add_follow_up_rating(
    session: Session, follow_up_session_id: int, assignment_id: int, support: int, now: datetime
) -> FollowUpRatingRow:
    """Support for the claim of an original item (`assignment_id`), asked again at the
    follow-up with no argument shown."""
    row = FollowUpRatingRow(
        follow_up_session_id=follow_up_session_id,
        assignment_id=assignment_id,
        support=support,
        answered_at=now,
    )
    session.add(row)
    session.flush()
    return row


def complete_follow_up(row: FollowUpSessionRow, now: datetime, completion_code: str = "") -> None:
    row.status = "completed"
    row.completed_at = now
    row.completion_code = completion_code


@dataclass(frozen=True)
class RatedItem:
    """One item a respondent rated: the argument, its position, the ratings, the reading."""

    argument_id: int
    position: int
    before: int
    after: int | None
    reading_ms: int | None = None


@dataclass(frozen=True)
class Respondent:
    """A participant whose completed session is written at once (simulated or imported):
    the platform, the hashed id, the session's token hash, the rated items and the attention
    answers as (check key, answer, passed)."""

    platform: str
    id_hash: str
    token_hash: str
    items: tuple[RatedItem, ...]
    attention: tuple[tuple[str, str, bool], ...] = ()
    simulated: bool = False


def write_respondents(
    session: Session,
    study_id: int,
    wave_id: int,
    respondents: Sequence[Respondent],
    now: datetime | None = None,
) -> list[int]:
    """Write each respondent as a participant with one completed session, its completed
    assignments, ratings and attention answers (`now`: when it completed and the after-ratings
    were given; None for imported data without times). Returns the session ids."""
    people = [
        ParticipantRow(
            study_id=study_id,
            platform=r.platform,
            platform_id_hash=r.id_hash,
            simulated=r.simulated,
        )
        for r in respondents
    ]
    session.add_all(people)
    session.flush()
    sessions = [
        SessionRow(
            participant_id=p.id,
            wave_id=wave_id,
            token_hash=r.token_hash,
            status="completed",
            step=len(r.items),
            completed_at=now,
        )
        for p, r in zip(people, respondents, strict=True)
    ]
    session.add_all(sessions)
    session.flush()
    _add_items(session, sessions, respondents, now)
    return [s.id for s in sessions]


def _add_items(
    session: Session,
    sessions: Sequence[SessionRow],
    respondents: Sequence[Respondent],
    now: datetime | None,
) -> None:
    """Each written session's completed assignments, their ratings, its attention answers."""
    pairs = [(s, item) for s, r in zip(sessions, respondents, strict=True) for item in r.items]
    assignments = [
        AssignmentRow(
            session_id=s.id,
            argument_id=item.argument_id,
            position=item.position,
            status="completed",
        )
        for s, item in pairs
    ]
    session.add_all(assignments)
    session.flush()
    ratings = [
        RatingRow(
            assignment_id=a.id,
            before=item.before,
            after=item.after,
            after_at=now,
            reading_ms=item.reading_ms,
        )
        for a, (_, item) in zip(assignments, pairs, strict=True)
    ]
    session.add_all(ratings)
    session.flush()
    session.add_all(
        AttentionAnswerRow(session_id=s.id, check_key=key, answer=answer, passed=passed)
        for s, r in zip(sessions, respondents, strict=True)
        for key, answer, passed in r.attention
    )
    session.flush()
