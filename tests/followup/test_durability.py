"""Acceptance: a simulated study with a follow-up wave reports the share of the effect that
remains, with a CI, against the response model's known truth."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analysis import kept, ratings_table
from analysis.follow_up import attrition, durability
from analysis.follow_up_table import follow_up_answers, with_follow_up
from common import UsageError
from fieldwork.field_store import as_utc
from fieldwork.follow_up import due_follow_ups, open_follow_up, run_follow_ups
from flows import steps
from study import load_and_register
from study.store import FollowUpRatingRow, FollowUpSessionRow, WaveRow, open_store
from tests.followup.study_file import RESPONSE, SHARE, write_follow_up_study


def field(db: str, ref: str) -> None:
    steps.generate_step(db, ref)
    steps.open_step(db, ref)
    steps.panel_step(db, ref)
    assert steps.sync_step(db, ref).status == "closed"


@pytest.fixture(scope="module")
def fielded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("durable")
    db = f"sqlite:///{folder / 'store.db'}"
    ref = str(write_follow_up_study(folder))
    field(db, ref)
    return db, ref


def test_follow_up_opens_on_schedule_and_the_share_matches_the_truth(
    fielded: tuple[str, str],
) -> None:
    db, ref = fielded
    with open_store(db) as store:
        loaded = load_and_register(store, ref)
        with store.session() as session:
            closed = as_utc(session.scalars(select(WaveRow.closed_at)).one())
        assert due_follow_ups(store, loaded, closed + timedelta(days=29)) == []
        assert run_follow_ups(store, loaded, now=closed + timedelta(days=29)) == []
        [status] = run_follow_ups(store, loaded, now=closed + timedelta(days=30, minutes=1))
        assert (status.follows, status.wave, status.status) == (1, 2, "closed")
        assert status.completed == pytest.approx(RESPONSE * status.invited, rel=0.15)
        again = run_follow_ups(store, loaded, now=closed + timedelta(days=60))  # nothing new
        assert again == []
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(FollowUpSessionRow)) == (
                status.invited
            )
            answered = session.scalar(select(func.count()).select_from(FollowUpRatingRow))
        data = kept(ratings_table(store, loaded.study_id))
        asked = with_follow_up(data, follow_up_answers(store, loaded.study_id))
    assert answered == asked["follow_up"].notna().sum() > 0
    result = durability(asked, n_resamples=4000, seed=3).set_index("writer")
    for writer in ("model-a", "human"):
        row = result.loc[writer]
        assert row["share_low"] < SHARE < row["share_high"], (writer, row.to_dict())
        assert row["share_low"] > 0 and row["share_high"] < 1  # the interval says something
        assert row["immediate"] > row["lasting"] > 0
        assert row["days"] == pytest.approx(30, abs=0.1)
    lost = attrition(asked).set_index("writer")
    assert lost["retention"].between(RESPONSE - 0.1, RESPONSE + 0.1).all()
    assert lost["ratings_asked"].to_dict() == asked.groupby("writer").size().to_dict()


def test_a_follow_up_is_refused_before_its_day_or_while_the_wave_is_open(
    fielded: tuple[str, str], tmp_path: Path
) -> None:
    db, ref = fielded
    with open_store(db) as store:
        loaded = load_and_register(store, ref)
        with pytest.raises(UsageError, match="has no wave 7 to follow up"):
            open_follow_up(store, loaded, 7)
