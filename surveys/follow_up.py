"""Follow-up sessions: a participant of an earlier wave, invited to its follow-up wave, rates
again their support for the claims they rated, with no argument shown.

Each invited participant has a personal token, `follow_up_token(key, wave, participant)`: a
keyed hash under the store's secret, so the link can be exported again at any time and nobody
without the key can make one; only its SHA-256 is stored. A link study's participants open
`/follow-up/t/TOKEN` from the researcher's e-mail; a Prolific participant arrives at
`/follow-up/STUDY?PROLIFIC_PID=…`, is matched through the keyed hash of that id and sent to
their token's page. The answers are saved in one transaction that locks the follow-up
session, so a double submit cannot change them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    FollowUpSessionRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    StudyRow,
    WaveRow,
    add_follow_up_rating,
    complete_follow_up,
    get_study_row,
    log_event,
    start_follow_up,
    study_config,
)
from surveys.hashing import keyed_hash, token_hash
from surveys.pages import FormError

SCALE = range(1, 8)


def follow_up_token(key: bytes, wave_id: int, participant_id: int) -> str:
    """The personal follow-up token of one participant in one follow-up wave."""
    return keyed_hash(key, f"{wave_id}:{participant_id}", "follow-up-link")


def follow_up_code(study: Study) -> str:
    """The completion code of the study's follow-ups (Prolific's code of the follow-up study)."""
    digest = hashlib.sha256(f"{study.name}:{study.study.seed}:follow-up".encode()).hexdigest()
    return "F" + digest[:7].upper()


@dataclass(frozen=True)
class FollowUpItem:
    assignment_id: int
    claim: str


@dataclass(frozen=True)
class FollowUpView:
    """What the follow-up page shows: the claims to rate again (no argument), or, once
    answered, the completion code."""

    follow_up_id: int
    study: Study
    status: str
    items: tuple[FollowUpItem, ...]
    completion_code: str


def token_for_platform_id(store: Store, study_name: str, platform_id: str, key: bytes) -> str:
    """The follow-up token of the participant behind a platform id (matched through its keyed
    hash) in the study's open follow-up wave; FormError when they are not invited to one."""
    id_hash = keyed_hash(key, platform_id)
    with store.session() as session:
        study_id = get_study_row(session, study_name).id
        row = session.execute(
            select(FollowUpSessionRow.wave_id, FollowUpSessionRow.participant_id)
            .join(ParticipantRow, ParticipantRow.id == FollowUpSessionRow.participant_id)
            .join(WaveRow, WaveRow.id == FollowUpSessionRow.wave_id)
            .where(
                ParticipantRow.study_id == study_id,
                ParticipantRow.platform_id_hash == id_hash,
                WaveRow.status == "open",
            )
            .order_by(WaveRow.number.desc())
            .limit(1)
        ).first()
    if row is None:
        raise FormError(
            "not_invited",
            "This follow-up is only for people who took part in the first part of the study.",
            403,
        )
    return follow_up_token(key, row[0], row[1])


def load_follow_up(store: Store, token: str) -> FollowUpView:
    """The follow-up session behind a token, or FormError(403) for an unknown token."""
    with store.session() as session:
        row = session.scalar(
            select(FollowUpSessionRow).where(FollowUpSessionRow.token_hash == token_hash(token))
        )
        if row is None:
            raise FormError(
                "no_follow_up", "This follow-up link is not valid; check the link you got.", 403
            )
        study, wave_status = _study_and_status(session, row.wave_id)
        status = row.status
        if status != "completed" and wave_status != "open":
            status = "closed"
        return FollowUpView(row.id, study, status, _items(session, row), row.completion_code)


def _study_and_status(session: Session, wave_id: int) -> tuple[Study, str]:
    study_row, status = session.execute(
        select(StudyRow, WaveRow.status)
        .join(WaveRow, WaveRow.study_id == StudyRow.id)
        .where(WaveRow.id == wave_id)
    ).one()
    return study_config(study_row), str(status)


def _items(session: Session, row: FollowUpSessionRow) -> tuple[FollowUpItem, ...]:
    """The items the participant rated in the wave that this follow-up follows, in order."""
    original = session.scalar(select(WaveRow.follows_wave_id).where(WaveRow.id == row.wave_id))
    rows = session.execute(
        select(AssignmentRow.id, ClaimRow.text)
        .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
        .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .where(
            SessionRow.participant_id == row.participant_id,
            SessionRow.wave_id == original,
            RatingRow.after.is_not(None),
        )
        .order_by(SessionRow.id, AssignmentRow.position)
    )
    return tuple(FollowUpItem(aid, text) for aid, text in rows)


def open_page(store: Store, view: FollowUpView, platform_session: str = "") -> None:
    """Record that the participant opened the follow-up (the first time only)."""
    with store.session() as session:
        row = session.get_one(FollowUpSessionRow, view.follow_up_id, with_for_update=True)
        start_follow_up(row, datetime.now(UTC), platform_session)


def parse_answers(view: FollowUpView, form: dict[str, str]) -> dict[int, int]:
    """One rating 1-7 per item (`rating-ASSIGNMENT`), or FormError naming what is missing."""
    out: dict[int, int] = {}
    for number, item in enumerate(view.items, start=1):
        raw = form.get(f"rating-{item.assignment_id}", "")
        if not (raw.isascii() and raw.isdigit() and int(raw) in SCALE):
            raise FormError(
                "missing_rating", f"Please choose an answer from 1 to 7 for statement {number}."
            )
        out[item.assignment_id] = int(raw)
    return out


def submit_follow_up(store: Store, view: FollowUpView, answers: dict[int, int]) -> str:
    """Save every answer and complete the follow-up, in one transaction (a second submit
    changes nothing). Returns the completion code."""
    now = datetime.now(UTC)
    code = follow_up_code(view.study)
    with store.session() as session:
        row = session.get_one(FollowUpSessionRow, view.follow_up_id, with_for_update=True)
        if row.status == "completed":
            return row.completion_code
        if view.status == "closed":
            raise FormError(
                "closed", "This follow-up has closed; thank you for your interest.", 403
            )
        start_follow_up(row, now)
        for assignment_id, support in answers.items():
            add_follow_up_rating(session, row.id, assignment_id, support, now)
        complete_follow_up(row, now, code)
        study_id = session.scalar(select(WaveRow.study_id).where(WaveRow.id == row.wave_id))
        log_event(session, study_id, "follow_up.completed", {"follow_up_session": row.id})
    return code
