"""Writing a simulated panel's answers to the store (the inline path of a simulated study)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common import UsageError
from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    ClaimRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    current_wave,
    open_wave,
    utcnow,
)
from surveys import ArgumentRef, SimulatedParticipant, simulate_panel


@dataclass(frozen=True)
class PanelSummary:
    wave: int
    participants: int
    ratings: int


def unrated_arguments(store: Store, study_id: int) -> list[ArgumentRef]:
    """Arguments of the study that have no assignment yet (so a re-run adds only new ones)."""
    with store.session() as session:
        rated = select(AssignmentRow.argument_id)
        rows = session.execute(
            select(
                ArgumentRow.id,
                ClaimRow.key,
                ClaimRow.topic,
                ArgumentRow.writer,
                ArgumentRow.direction,
            )
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.study_id == study_id, ArgumentRow.id.not_in(rated))
            .order_by(ArgumentRow.id)
        )
        return [ArgumentRef(*row) for row in rows]


def shard_of(
    args: list[ArgumentRef], shard: int, shards: int, topics: list[str]
) -> list[ArgumentRef]:
    """The arguments of one shard: whole topics, dealt out in the sorted order of all the
    study's `topics` (fixed, so parallel shards that start at different times still agree), so a
    participant's items (on distinct topics) come from one shard and shards never overlap."""
    if not 0 <= shard < shards:
        raise UsageError(f"shard {shard} is outside 0..{shards - 1}; pass 0 <= shard < shards")
    mine = {t for i, t in enumerate(sorted(set(topics))) if i % shards == shard}
    return [a for a in args if a.topic in mine]


def run_simulated_panel(
    store: Store, study: Study, study_id: int, *, shard: int = 0, shards: int = 1
) -> PanelSummary:
    """Simulate participants for every unrated argument and commit them one by one.

    With `shards > 1` this call handles one shard of the unrated arguments (see `shard_of`),
    so shards can run in parallel once the wave is open; participant ids then include the
    wave and the shard, so parallel shards never collide. When nothing is left to rate it
    returns at once, without opening a wave (so a re-run adds no empty wave)."""
    args = unrated_arguments(store, study_id)
    if shards > 1:
        with store.session() as session:
            topics = session.scalars(select(ClaimRow.topic).where(ClaimRow.study_id == study_id))
            args = shard_of(args, shard, shards, list(topics))
    if not args:
        with store.session() as session:
            last = current_wave(session, study_id)
            return PanelSummary(last.number if last else 0, 0, 0)
    with store.session() as session:
        wave = open_wave(session, study_id, "simulated", study.participants.per_argument)
        wave_id, wave_number = wave.id, wave.number
        first = (
            session.scalar(
                select(func.count())
                .select_from(ParticipantRow)
                .where(ParticipantRow.study_id == study_id)
            )
            or 0
        )
    seed = study.study.seed + wave_number + (7919 * (shard + 1) if shards > 1 else 0)
    people = simulate_panel(study, args, seed=seed, first_number=first)
    prefix = f"w{wave_number}-s{shard}-" if shards > 1 else ""
    n_ratings = 0
    for person in people:
        with store.session() as session:
            _write_person(session, study_id, wave_id, person, prefix)
        n_ratings += len(person.ratings)
    return PanelSummary(wave_number, len(people), n_ratings)


def _write_person(
    session: Session, study_id: int, wave_id: int, person: SimulatedParticipant, prefix: str = ""
) -> None:
    pid = hashlib.sha256(f"sim-{study_id}-{prefix}{person.number}".encode()).hexdigest()
    participant = ParticipantRow(
        study_id=study_id, platform="simulated", platform_id_hash=pid, simulated=True
    )
    session.add(participant)
    session.flush()
    now = utcnow()
    sess = SessionRow(
        participant_id=participant.id,
        wave_id=wave_id,
        token_hash=pid,
        status="completed",
        step=len(person.ratings),
        completed_at=now,
    )
    session.add(sess)
    session.flush()
    for rating in person.ratings:
        assignment = AssignmentRow(
            session_id=sess.id,
            argument_id=rating.argument_id,
            position=rating.position,
            status="completed",
        )
        session.add(assignment)
        session.flush()
        session.add(
            RatingRow(
                assignment_id=assignment.id,
                before=rating.before,
                after=rating.after,
                after_at=now,
                reading_ms=rating.reading_ms,
            )
        )
    for i, passed in enumerate(person.attention):
        session.add(
            AttentionAnswerRow(
                session_id=sess.id,
                check_key=f"attention-{i + 1}",
                answer="correct" if passed else "wrong",
                passed=passed,
            )
        )
