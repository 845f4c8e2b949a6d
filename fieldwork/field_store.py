"""Fieldwork's reads and writes of the store: the plan of a wave, the facts behind each survey
session, reviews and exclusions, expired reservations, counts for the progress report.

The survey app writes sessions, assignments, ratings and attention answers; fieldwork only
reads them, and writes a session's `review`, `exclusion` and (for expired reservations)
`status`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, true, update
from sqlalchemy.orm import Session

from fieldwork.quality import Decision
from study import SessionFacts, Study, argument_min_reading_ms
from study.store import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    EventRow,
    RatingRow,
    SessionRow,
    Store,
    WaveRow,
    current_wave,
    log_event,
)
from surveys import release_session

# A session the platform timed out or that was returned gives its reserved items back.
GIVE_BACK = {"timed_out": "timed_out", "returned": "returned"}
# Submissions that hold a place on the platform (the others freed theirs).
PLACE_TAKING = frozenset({"reserved", "active", "awaiting_review", "approved"})
REVIEWED = frozenset({"approved", "rejected", "returned", "timed_out", "screened_out", "checked"})


def as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def ratings_needed(counts: dict[int, int], target: int) -> int:
    """Completed ratings still missing for every argument to reach `target`."""
    return sum(max(0, target - n) for n in counts.values())


def places_for(needed: int, items_per_participant: int) -> int:
    """Participants needed to give `needed` ratings at `items_per_participant` each."""
    return math.ceil(needed / items_per_participant) if needed > 0 else 0


@dataclass(frozen=True)
class WaveState:
    """The current wave of a study as one read of the store: what a sync decides from.
    `counts` are completed ratings per argument across all waves, `places` the wave's places
    on the platform, `facts` per survey session: (platform session id, review, facts)."""

    wave_id: int
    number: int
    ref: str
    status: str
    counts: dict[int, int]
    places: int
    facts: dict[int, tuple[str, str, SessionFacts]]


def load_wave_state(store: Store, study_id: int, study: Study) -> WaveState | None:
    """The study's current wave and everything a sync needs about it, read in one
    transaction; None when the study has no wave yet."""
    with store.session() as session:
        wave = current_wave(session, study_id)
        if wave is None:
            return None
        return WaveState(
            wave.id,
            wave.number,
            wave.platform_ref,
            wave.status,
            completed_counts(session, study_id),
            _wave_places(session, study_id, wave.number),
            _session_facts(session, wave.id, study),
        )


def completed_counts(
    session: Session, study_id: int, dropping: frozenset[int] = frozenset()
) -> dict[int, int]:
    """Kept ratings per argument id, across all waves: an after-rating exists and the quality
    rules did not exclude its session (`dropping`: sessions about to be excluded)."""
    kept = (
        select(AssignmentRow.argument_id, func.count(RatingRow.id).label("n"))
        .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
        .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
        .where(
            RatingRow.after.is_not(None),
            SessionRow.exclusion == "",
            SessionRow.id.not_in(dropping) if dropping else true(),
        )
        .group_by(AssignmentRow.argument_id)
        .subquery()
    )
    rows = session.execute(
        select(ArgumentRow.id, func.coalesce(kept.c.n, 0))
        .outerjoin(kept, kept.c.argument_id == ArgumentRow.id)
        .where(ArgumentRow.study_id == study_id)
    )
    return {arg_id: int(n) for arg_id, n in rows}


def kept_by_writer(session: Session, study_id: int) -> dict[str, int]:
    """Kept ratings per writer, across all waves."""
    rows = session.execute(
        select(ArgumentRow.writer, func.count(RatingRow.id))
        .join(AssignmentRow, AssignmentRow.argument_id == ArgumentRow.id)
        .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
        .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
        .where(
            ArgumentRow.study_id == study_id,
            RatingRow.after.is_not(None),
            SessionRow.exclusion == "",
        )
        .group_by(ArgumentRow.writer)
    ).all()
    return {writer: int(n) for writer, n in rows}


def _session_facts(
    session: Session, wave_id: int, study: Study
) -> dict[int, tuple[str, str, SessionFacts]]:
    sessions = session.execute(
        select(SessionRow.id, SessionRow.platform_session, SessionRow.review, SessionRow.status)
        .where(SessionRow.wave_id == wave_id)
        .order_by(SessionRow.id)
    ).all()
    failed = dict(
        session.execute(
            select(AttentionAnswerRow.session_id, func.count())
            .join(SessionRow, SessionRow.id == AttentionAnswerRow.session_id)
            .where(SessionRow.wave_id == wave_id, AttentionAnswerRow.passed.is_(False))
            .group_by(AttentionAnswerRow.session_id)
        ).all()
    )
    reading = session.execute(
        select(AssignmentRow.session_id, RatingRow.reading_ms, ArgumentRow.text)
        .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
        .where(SessionRow.wave_id == wave_id)
        .order_by(AssignmentRow.session_id, AssignmentRow.position)
    ).all()
    read: dict[int, list[int | None]] = defaultdict(list)
    minimum: dict[int, list[int]] = defaultdict(list)
    for sid, ms, text in reading:
        read[sid].append(ms)
        minimum[sid].append(argument_min_reading_ms(text, study))
    return {
        sid: (
            platform_session,
            review,
            SessionFacts(status, int(failed.get(sid, 0)), tuple(read[sid]), tuple(minimum[sid])),
        )
        for sid, platform_session, review, status in sessions
    }


def record_review(store: Store, study_id: int, session_id: int | None, decision: Decision) -> None:
    """Write a decision to its session (if any) and to the event log."""
    with store.session() as session:
        if session_id is not None:
            row = session.get(SessionRow, session_id)
            if row is not None:
                row.review = decision.review
                row.exclusion = decision.exclusion
                if decision.review in GIVE_BACK and row.status != "completed":
                    release_session(session, row, GIVE_BACK[decision.review])
                if decision.exclusion:
                    return_items(session, row.id)
        log_event(
            session,
            study_id,
            f"review.{decision.review or decision.action}",
            {"session": session_id, "action": decision.action, "exclusion": decision.exclusion},
        )


def return_items(session: Session, session_id: int) -> int:
    """An excluded session's rated items go back to the pool: its completed assignments
    become `excluded`, which the allocator no longer counts as filled (the ratings stay, with
    the session's exclusion reason, for the analysis's exclusion table)."""
    result = session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.session_id == session_id, AssignmentRow.status == "completed")
        .values(status="excluded")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def set_platform_ref(store: Store, wave_id: int, ref: str) -> None:
    with store.session() as session:
        wave = session.get(WaveRow, wave_id)
        if wave is not None:
            wave.platform_ref = ref


def session_counts(store: Store, wave_id: int) -> dict[str, int]:
    """Sessions of the wave by status, review and exclusion (keys like `status:completed`)."""
    with store.session() as session:
        rows = session.execute(
            select(SessionRow.status, SessionRow.review, SessionRow.exclusion).where(
                SessionRow.wave_id == wave_id
            )
        ).all()
    counts: Counter[str] = Counter()
    for status, review, exclusion in rows:
        counts[f"status:{status}"] += 1
        if review:
            counts[f"review:{review}"] += 1
        if exclusion:
            counts["excluded"] += 1
    return dict(counts)


def _wave_places(session: Session, study_id: int, wave: int) -> int:
    """The wave's places on the platform: the last `wave.places` event of the wave."""
    payloads = session.scalars(
        select(EventRow.payload)
        .where(EventRow.study_id == study_id, EventRow.kind == "wave.places")
        .order_by(EventRow.id)
    ).all()
    places = [int(p["places"]) for p in payloads if p.get("wave") == wave]
    return places[-1] if places else 0


def has_event(store: Store, study_id: int, kind: str, wave: int) -> bool:
    with store.session() as session:
        payloads = session.scalars(
            select(EventRow.payload).where(EventRow.study_id == study_id, EventRow.kind == kind)
        ).all()
    return any(p.get("wave") == wave for p in payloads)


def earlier_refs(store: Store, study_id: int, platform: str, wave: int) -> tuple[str, ...]:
    """Platform references of the study's waves before `wave` on `platform`."""
    with store.session() as session:
        refs = session.scalars(
            select(WaveRow.platform_ref)
            .where(
                WaveRow.study_id == study_id,
                WaveRow.number < wave,
                WaveRow.platform == platform,
                WaveRow.platform_ref != "",
            )
            .order_by(WaveRow.number)
        ).all()
    return tuple(refs)
