"""Writing a simulated panel's answers to the store (the inline path of a simulated study)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arguments import run_sync
from common import UsageError
from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    RatedItem,
    RatingRow,
    Respondent,
    SessionRow,
    Store,
    current_wave,
    open_wave,
    utcnow,
    write_respondents,
)
from surveys import ArgumentRef, Planned, SimulatedParticipant, hold_all, simulate_panel


@dataclass(frozen=True)
class PanelSummary:
    wave: int
    participants: int
    ratings: int


def arguments_to_rate(store: Store, study_id: int, target: int) -> list[ArgumentRef]:
    """The ratings the study's arguments still lack: each argument short of `target` kept
    ratings (completed and not excluded by the quality rules, across all waves) listed once per
    missing rating, so a re-run after an interruption (or after exclusions) tops up partly
    rated arguments and adds nothing to complete ones.

    Ordered by content (claim, writer, strategy, replicate, request key), not by row id: ids
    follow the order in which generation happened to finish, and the simulated panel draws
    its answers in list order, so id order would make a seeded panel depend on timing."""
    with store.session() as session:
        done = (
            select(AssignmentRow.argument_id, func.count(RatingRow.id).label("n"))
            .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
            .where(RatingRow.after.is_not(None), SessionRow.exclusion == "")
            .group_by(AssignmentRow.argument_id)
            .subquery()
        )
        rows = session.execute(
            select(
                ArgumentRow.id,
                ClaimRow.key,
                ClaimRow.topic,
                ArgumentRow.writer,
                ArgumentRow.direction,
                func.coalesce(done.c.n, 0),
            )
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .outerjoin(done, done.c.argument_id == ArgumentRow.id)
            .where(ArgumentRow.study_id == study_id)
            .order_by(
                ClaimRow.key,
                ArgumentRow.writer,
                ArgumentRow.strategy,
                ArgumentRow.replicate,
                ArgumentRow.request_key,
            )
        )
        return [ArgumentRef(*row[:5]) for row in rows for _ in range(max(0, target - row[5]))]


def rated_so_far(store: Store, study_id: int, topics: set[str]) -> int:
    """Completed ratings of the study's arguments on `topics` (one shard's topics): a number
    only this shard changes, so parallel shards never read what another is writing."""
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count(RatingRow.id))
                .join(AssignmentRow, AssignmentRow.id == RatingRow.assignment_id)
                .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
                .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
                .where(
                    ArgumentRow.study_id == study_id,
                    ClaimRow.topic.in_(topics),
                    RatingRow.after.is_not(None),
                )
            )
            or 0
        )


def shard_topics(shard: int, shards: int, topics: list[str]) -> set[str]:
    """The topics of one shard: whole topics, dealt out in the sorted order of all the study's
    `topics` (fixed, so parallel shards that start at different times still agree), so a
    participant's items (on distinct topics) come from one shard and shards never overlap."""
    if not 0 <= shard < shards:
        raise UsageError(f"shard {shard} is outside 0..{shards - 1}; pass 0 <= shard < shards")
    return {t for i, t in enumerate(sorted(set(topics))) if i % shards == shard}


def shard_of(
    args: list[ArgumentRef], shard: int, shards: int, topics: list[str]
) -> list[ArgumentRef]:
    """The arguments of one shard (see `shard_topics`)."""
    mine = shard_topics(shard, shards, topics)
    return [a for a in args if a.topic in mine]


def run_simulated_panel(
    store: Store, study: Study, study_id: int, *, shard: int = 0, shards: int = 1
) -> PanelSummary:
    """Simulate participants for every rating the arguments still lack and commit them one
    by one (so an interrupted panel keeps what it wrote and a re-run tops it up).

    With `shards > 1` this call handles one shard (see `shard_of`), so shards can run in
    parallel once the wave is open. What a shard draws depends only on the seed, the wave and
    its own topics' ratings so far (never on what another shard is writing), so a seeded
    study gives the same answers on every runner and store. Participant ids carry the wave,
    the shard and a number counted on from the shard's ratings so far (every participant adds
    at least one), so they never collide. When
    nothing is left to rate it returns at once, without opening a wave."""
    with store.session() as session:
        topics = session.scalars(select(ClaimRow.topic).where(ClaimRow.study_id == study_id))
        mine = shard_topics(shard, shards, list(topics))
    args = arguments_to_rate(store, study_id, study.participants.per_argument)
    args = [a for a in args if a.topic in mine]
    if not args:
        with store.session() as session:
            last = current_wave(session, study_id)
            return PanelSummary(last.number if last else 0, 0, 0)
    first = rated_so_far(store, study_id, mine)
    with store.session() as session:
        wave = open_wave(session, study_id, "simulated", study.participants.per_argument)
        wave_id, wave_number = wave.id, wave.number
    seed = study.study.seed + wave_number + first + (7919 * (shard + 1) if shards > 1 else 0)
    people = simulate_panel(study, args, seed=seed, first_number=first, per_argument=1)
    prefix = f"w{wave_number}-s{shard}of{shards}-"
    n_ratings = 0
    for person in people:
        with store.session() as session:
            session_id = _write_person(session, study_id, wave_id, person, prefix)
        n_ratings += len(person.ratings)
        talks = planned_conversations(store, study, session_id, person)
        if talks:
            run_sync(hold_all(store, study, talks, seed))
    return PanelSummary(wave_number, len(people), n_ratings)


def planned_conversations(
    store: Store, study: Study, session_id: int, person: SimulatedParticipant
) -> list[Planned]:
    """The conversations of a written participant's conversation items."""
    turns = {r.position: r.turns for r in person.ratings if r.turns}
    if not turns:
        return []
    with store.session() as session:
        rows = session.execute(
            select(AssignmentRow.id, AssignmentRow.position, ArgumentRow.writer)
            .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
            .where(AssignmentRow.session_id == session_id)
        ).all()
    return [
        Planned(session_id, aid, writer, turns[pos]) for aid, pos, writer in rows if pos in turns
    ]


def _write_person(
    session: Session, study_id: int, wave_id: int, person: SimulatedParticipant, prefix: str = ""
) -> int:
    pid = hashlib.sha256(f"sim-{study_id}-{prefix}{person.number}".encode()).hexdigest()
    respondent = Respondent(
        platform="simulated",
        id_hash=pid,
        token_hash=pid,
        items=tuple(
            RatedItem(r.argument_id, r.position, r.before, r.after, r.reading_ms)
            for r in person.ratings
        ),
        attention=tuple(
            (f"attention-{i + 1}", "correct" if passed else "wrong", passed)
            for i, passed in enumerate(person.attention)
        ),
        simulated=True,
    )
    [session_id] = write_respondents(session, study_id, wave_id, [respondent], utcnow())
    return session_id
