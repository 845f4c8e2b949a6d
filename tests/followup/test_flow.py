"""The follow-up flow (what `persuasion serve` runs on schedule) opens a due follow-up once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from flows import steps
from flows.follow_up import follow_up_flow
from study.store import WaveRow, open_store, utcnow
from tests.followup.study_file import write_follow_up_study


def test_follow_up_flow_opens_a_due_follow_up_once(prefect_harness: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    ref = str(write_follow_up_study(tmp_path, "flowing", per_argument=1))
    steps.generate_step(db, ref)
    steps.open_step(db, ref)
    steps.panel_step(db, ref)
    steps.sync_step(db, ref)
    assert follow_up_flow(study=ref, db=db) == []  # the wave closed just now: not due
    with open_store(db) as store, store.session() as session:
        wave = session.scalars(select(WaveRow).where(WaveRow.number == 1)).one()
        wave.closed_at = utcnow() - timedelta(days=30, minutes=5)  # a month passes
    [opened] = follow_up_flow(study=ref, db=db)
    assert (opened.follows, opened.wave, opened.status) == (1, 2, "closed")
    assert 0 < opened.completed <= opened.invited
    assert follow_up_flow(study=ref, db=db) == []
    with open_store(db) as store, store.session() as session:
        kinds = session.scalars(select(WaveRow.kind).order_by(WaveRow.number)).all()
    assert kinds == ["main", "follow_up"]
