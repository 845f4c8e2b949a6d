"""Kill the server (SIGKILL) in the middle of many sessions and restart it: no committed
answer is lost and every participant finishes where they were."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from study.store import AssignmentRow, RatingRow, SessionRow, Store
from surveys.bots import Oracle, run_bots
from tests.surveys.conftest import KEY, field_study, study_text
from tests.surveys.live import live_server

N_BOTS = 12


def snapshot(store: Store) -> dict[int, tuple[int, int | None]]:
    with store.session() as session:
        return {r.id: (r.before, r.after) for r in session.scalars(select(RatingRow))}


@pytest.mark.timeout(300)
def test_kill_and_restart_loses_nothing(store: Store, tmp_path: Path) -> None:
    field_study(store, study_text("restart", "\n[survey]\nmin_reading_seconds = 0.5\n"))
    oracle = Oracle(store, "restart", KEY)
    with live_server(store.url, tmp_path / "server.log") as server:

        def client() -> httpx.Client:
            return httpx.Client(base_url=server.base, timeout=30, follow_redirects=False)

        with ThreadPoolExecutor(1) as pool:
            bots = pool.submit(run_bots, client, oracle, N_BOTS, N_BOTS, 3)
            for _ in range(600):  # bounded: wait until answers are being written
                if len(snapshot(store)) >= N_BOTS:
                    break
                time.sleep(0.05)
            server.kill()
            before_restart = snapshot(store)
            server.start()
            results = bots.result(timeout=240)
    assert len(before_restart) >= N_BOTS
    after = snapshot(store)
    for rating_id, (before, after_rating) in before_restart.items():
        assert after[rating_id][0] == before
        if after_rating is not None:
            assert after[rating_id][1] == after_rating
    assert all(r.completed for r in results)
    assert sum(r.retries for r in results) > 0  # the kill really hit live sessions
    with store.session() as session:
        statuses = session.scalars(select(SessionRow.status)).all()
        stored = {
            (sid, pos): (b, a)
            for sid, pos, b, a in session.execute(
                select(
                    AssignmentRow.session_id,
                    AssignmentRow.position,
                    RatingRow.before,
                    RatingRow.after,
                ).join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            )
        }
    assert statuses == ["completed"] * N_BOTS
    assert sorted(stored.values()) == sorted(v for r in results for v in r.answers.values())
