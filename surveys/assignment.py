"""Assignment: which arguments a participant reads, reserved atomically and released on expiry.

Each participant gets up to k items on distinct topics (so never both stances of one topic),
least-filled arguments first with a seeded random tie-break, control items mixed in at the
study's rate, in random order. An argument's fill is its completed ratings plus its live
reservations (all waves); arguments already at the wave's target are not offered, so under
concurrent arrivals no argument exceeds its target plus the reservations that may expire.

Reservations are serialised per wave: the wave row is locked (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite writes start with `BEGIN IMMEDIATE`, see `study.store.engine`).

Nobody can starve a wave by starting sessions and walking away: a reservation is held for a
short time (`survey.hold_minutes`) and renewed while its participant is active (`renew`); in
the transaction that reserves, every reservation past its time is released first (no
`field sync` needed); and sessions that have answered nothing yet hold at most
`survey.idle_share` of the wave's places (a new arrival beyond that frees the oldest of them).
On Prolific a wave is one platform study, so the cap is per platform study.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    SessionRow,
    Store,
    WaveRow,
    log_event,
    reserve_items,
)

LIVE = ("reserved", "completed")
MIN_IDLE_CAP = 5  # a small wave still lets a few people read the consent page at once


class Candidate(NamedTuple):
    """An assignable argument and its fill (a tuple: about a thousand are built per start)."""

    argument_id: int
    topic: str
    control: bool
    fill: int


def aware(when: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every time in the store is UTC."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=UTC)


def choose_items(
    candidates: list[Candidate], k: int, control_rate: float, target: int, rng: np.random.Generator
) -> list[int]:
    """Pick up to k argument ids on distinct topics (pure). Arguments at `target` are skipped;
    least-filled first, random tie-break; the number of control items is Binomial(k, rate)."""
    open_ = [c for c in candidates if c.fill < target]
    tie = rng.random(len(open_))
    ranked = [c for _, _, c in sorted(zip((c.fill for c in open_), tie, open_, strict=True))]
    want_control = int(rng.binomial(k, control_rate)) if control_rate > 0 else 0
    picked: list[Candidate] = []
    topics: set[str] = set()

    def take(pool: list[Candidate], n: int) -> None:
        for c in pool:
            if n <= 0 or len(picked) >= k:
                return
            if c.topic not in topics:
                picked.append(c)
                topics.add(c.topic)
                n -= 1

    take([c for c in ranked if c.control], want_control)
    take([c for c in ranked if not c.control], k - len(picked))
    take(ranked, k - len(picked))  # top up from either arm when one runs out
    order = rng.permutation(len(picked))
    return [picked[i].argument_id for i in order]


def candidates(session: Session, study_id: int) -> list[Candidate]:
    """The study's assignable arguments (in id order) with their fill. Read in the reserving
    transaction, so it is kept lean: the fills in one grouped count, the arguments from the
    index that covers them (`ix_argument_pool`; sorted here, since an ORDER BY would make
    SQLite read every argument row instead)."""
    conn = session.connection()  # Core rows: no ORM result processing for ~1,000 rows
    counted = conn.execute(
        select(AssignmentRow.argument_id, func.count())
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .where(ArgumentRow.study_id == study_id, AssignmentRow.status.in_(LIVE))
        .group_by(AssignmentRow.argument_id)
    )
    fills = {int(a): int(n) for a, n in counted}
    found = conn.execute(
        select(ArgumentRow.id, ClaimRow.topic, ClaimRow.kind)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .where(ArgumentRow.study_id == study_id, ArgumentRow.status == "ok")
    )
    rows = sorted(found, key=lambda row: int(row[0]))
    return [Candidate(a, topic, kind == "control", fills.get(a, 0)) for a, topic, kind in rows]


def lock_wave(session: Session, wave_id: int) -> WaveRow:
    wave = session.scalar(select(WaveRow).where(WaveRow.id == wave_id).with_for_update())
    if wave is None:
        raise LookupError(f"wave {wave_id} does not exist")
    return wave


def hold_until(study: Study, sess: SessionRow, now: datetime) -> datetime:
    """How long a reservation is held from `now`: the hold, never past the session's end."""
    until = now + timedelta(minutes=study.survey.hold_minutes)
    end = aware(sess.expires_at)
    return min(until, end) if end is not None else until


def reserve(
    session: Session, study: Study, wave: WaveRow, sess: SessionRow, now: datetime
) -> list[AssignmentRow]:
    """Reserve items for a new session (call with the wave locked, in the session's
    transaction): expired reservations are released first and the idle cap is applied.
    Returns the assignments, possibly fewer than k, or none when full."""
    release_due(session, now, wave.study_id)
    pool = candidates(session, wave.study_id)
    k = study.participants.items_per_participant
    places = -(-len(pool) * wave.target_per_argument // k)  # sessions the wave can serve
    cap = max(MIN_IDLE_CAP, int(study.survey.idle_share * places))
    if evict_idle(session, wave.id, sess.id, cap):
        pool = candidates(session, wave.study_id)
    rng = np.random.default_rng([study.study.seed, wave.number, sess.id])
    ids = choose_items(pool, k, study.participants.control_rate, wave.target_per_argument, rng)
    return reserve_items(session, sess.id, ids, hold_until(study, sess, now))


def release_session(session: Session, sess: SessionRow, status: str) -> int:
    """Give a session's unfinished items back (`status`: timed_out or returned)."""
    sess.status = status
    result = session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.session_id == sess.id, AssignmentRow.status == "reserved")
        .values(status="released")
    )
    log_event(session, None, f"session.{status}", {"session": sess.id})
    return int(getattr(result, "rowcount", 0) or 0)


def evict_idle(session: Session, wave_id: int, keep: int, cap: int) -> int:
    """Free the oldest sessions of the wave that hold places without having answered anything,
    until fewer than `cap` remain (room for one more); returns how many it freed."""
    holding = select(AssignmentRow.session_id).where(AssignmentRow.status == "reserved")
    idle = session.scalars(
        select(SessionRow.id)
        .where(
            SessionRow.wave_id == wave_id,
            SessionRow.status == "active",
            SessionRow.step == 0,
            SessionRow.id != keep,
            SessionRow.id.in_(holding),
        )
        .order_by(SessionRow.id)
    ).all()
    evicted = list(idle[: max(0, len(idle) - cap + 1)])
    if evicted:
        _release(session, [], evicted)
        log_event(session, None, "sessions.evicted_idle", {"sessions": evicted})
    return len(evicted)


def renew(session: Session, study: Study, sess: SessionRow, now: datetime) -> None:
    """Extend the session's held places (it is active); call in a transaction that locks it."""
    session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.session_id == sess.id, AssignmentRow.status == "reserved")
        .values(reserved_until=hold_until(study, sess, now))
    )


def _release(session: Session, assignments: list[int], sessions: list[int]) -> None:
    """Release the given assignments, and all reserved ones of `sessions`; those sessions, if
    still active, become `timed_out` (the same vocabulary as the platforms)."""
    # Sessions first, then their assignments: the order `submit` locks them in (session row,
    # then its assignments), so the two cannot deadlock on PostgreSQL.
    session.execute(
        update(SessionRow)
        .where(SessionRow.id.in_(sessions), SessionRow.status == "active")
        .values(status="timed_out")
    )
    held = AssignmentRow.id.in_(assignments) if assignments else AssignmentRow.id.is_(None)
    session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.status == "reserved")
        .where(held | AssignmentRow.session_id.in_(sessions))
        .values(status="released")
    )


def release_due(session: Session, now: datetime, study_id: int | None = None) -> int:
    """Release, inside the caller's transaction, every reservation past its `reserved_until`
    (of one study, or of all) and time out their sessions; returns how many it released."""
    query = select(AssignmentRow.id, AssignmentRow.session_id).where(
        AssignmentRow.status == "reserved",
        AssignmentRow.reserved_until.is_not(None),
        AssignmentRow.reserved_until < now,
    )
    if study_id is not None:
        waves = select(WaveRow.id).where(WaveRow.study_id == study_id)
        query = query.join(SessionRow, SessionRow.id == AssignmentRow.session_id).where(
            SessionRow.wave_id.in_(waves)
        )
    rows = session.execute(query).all()
    if not rows:
        return 0
    sessions = sorted({r[1] for r in rows})
    _release(session, [r[0] for r in rows], sessions)
    log_event(
        session, study_id, "reservations.released", {"assignments": len(rows), "sessions": sessions}
    )
    return len(rows)


def release_expired(store: Store, now: datetime | None = None, study_id: int | None = None) -> int:
    """Release every reservation past its `reserved_until` (of one study, or of all), in its
    own transaction. Safe to run at any time and again; returns how many it released."""
    with store.session() as session:
        return release_due(session, aware(now) or datetime.now(UTC), study_id)


def return_session(store: Store, session_id: int) -> bool:
    """A participant returned their submission on the platform: release their items.
    Returns False when the session was not active (already finished or released)."""
    with store.session() as session:
        sess = session.get(SessionRow, session_id, with_for_update=True)
        if sess is None or sess.status != "active":
            return False
        release_session(session, sess, "returned")
        return True
