"""Assignment: distinct topics, least-filled first, the target respected under concurrent
arrivals, and expired or returned sessions giving their items back (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import delete, func, select, update

from study.store import ArgumentRow, AssignmentRow, ClaimRow, SessionRow, Store
from surveys.assignment import Candidate, choose_items, release_expired, return_session
from surveys.sessions import SurveyClosed, start
from tests.surveys.conftest import KEY, field_study, study_text


def test_choose_items_picks_distinct_topics_least_filled_first() -> None:
    cands = [
        Candidate(1, "a", False, 2),
        Candidate(2, "a", False, 0),  # other stance of topic a
        Candidate(3, "b", False, 1),
        Candidate(4, "c", False, 3),  # at target: never offered
        Candidate(5, "d", True, 0),
    ]
    picked = choose_items(cands, 3, 0.0, 3, np.random.default_rng(1))
    assert sorted(picked) == [2, 3, 5]
    assert choose_items(cands, 2, 0.0, 3, np.random.default_rng(1)) != [] and 4 not in picked


def test_choose_items_mixes_controls_at_the_study_rate() -> None:
    cands = [Candidate(i, f"t{i}", i % 2 == 0, 0) for i in range(200)]
    rng = np.random.default_rng(7)
    picks = [choose_items(cands, 3, 0.1, 3, rng) for _ in range(2000)]
    share = np.mean([sum(i % 2 == 0 for i in p) / 3 for p in picks])
    assert 0.08 < share < 0.12


def items_per_argument(store: Store) -> Counter[int]:
    with store.session() as session:
        rows = session.scalars(
            select(AssignmentRow.argument_id).where(AssignmentRow.status != "released")
        )
        return Counter(rows)


def test_concurrent_arrivals_never_exceed_the_target(any_store: Store) -> None:
    # Target 1 rating per argument and only 40 arguments, so 40 arrivals run out of places.
    # idle_share = 1: the 8 threads' sessions between start and consent never meet the cap.
    text = study_text("tiny", "[survey]\nidle_share = 1.0\n")
    text = text.replace("per_argument = 3", "per_argument = 1")
    fielded = field_study(any_store, text)
    with any_store.session() as session:
        session.execute(delete(ArgumentRow).where(ArgumentRow.id > 40))
        n_args = session.scalar(select(func.count()).select_from(ArgumentRow))

    def arrive(i: int) -> str:
        try:
            started = start(any_store, "tiny", f"p{i}", KEY)
        except SurveyClosed:
            return "full"
        with any_store.session() as session:  # consents at once: not an idle session
            session.execute(
                update(SessionRow).where(SessionRow.id == started.session_id).values(step=1)
            )
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(arrive, range(40)))
    counts = items_per_argument(any_store)
    assert max(counts.values()) == 1
    assert sum(counts.values()) == n_args  # every argument handed out exactly once
    assert "full" in outcomes
    with any_store.session() as session:
        for sess_id in session.scalars(select(SessionRow.id)):
            topics = session.scalars(
                select(ClaimRow.topic)
                .join(ArgumentRow, ArgumentRow.claim_id == ClaimRow.id)
                .join(AssignmentRow, AssignmentRow.argument_id == ArgumentRow.id)
                .where(AssignmentRow.session_id == sess_id)
            ).all()
            assert len(topics) == len(set(topics))
    assert fielded.study_id > 0


def test_expired_and_returned_sessions_give_their_items_back(any_store: Store) -> None:
    field_study(any_store)
    now = datetime.now(UTC)
    a = start(any_store, "survey-test", "A", KEY, now=now)
    b = start(any_store, "survey-test", "B", KEY, now=now)
    assert sum(items_per_argument(any_store).values()) == 6
    assert release_expired(any_store, now + timedelta(minutes=4)) == 0  # held for 5 minutes
    assert release_expired(any_store, now + timedelta(minutes=6)) == 6
    assert release_expired(any_store, now + timedelta(minutes=7)) == 0
    assert sum(items_per_argument(any_store).values()) == 0
    with any_store.session() as session:
        statuses = session.scalars(select(SessionRow.status).order_by(SessionRow.id)).all()
    assert statuses == ["timed_out", "timed_out"]
    assert not return_session(any_store, a.session_id)
    c = start(any_store, "survey-test", "C", KEY)
    assert return_session(any_store, c.session_id)
    assert sum(items_per_argument(any_store).values()) == 0
    assert b.session_id != c.session_id


def test_same_platform_id_resumes_not_restarts(any_store: Store) -> None:
    field_study(any_store)
    pid = "same-person"
    first = start(any_store, "survey-test", pid, KEY)
    second = start(any_store, "survey-test", pid, KEY)
    assert second.resumed and second.session_id == first.session_id
    assert second.token != first.token
    assert sum(items_per_argument(any_store).values()) == 3
