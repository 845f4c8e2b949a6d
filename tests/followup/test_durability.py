"""Acceptance: a simulated study with a follow-up wave reports the share of the effect that
remains, with a CI, against the response model's known truth."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from analysis import kept, ratings_table
from analysis.follow_up import attrition, durability, with_follow_up
from analysis.follow_up_table import follow_up_answers
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
    fielded: tuple[str, str], tmp_path: Path
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
    report_findings(db, tmp_path, result)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_follow_up_is_refused_while_its_wave_is_open_or_before_its_day(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = (
        f"sqlite:///{tmp_path / 'store.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    ref = str(write_follow_up_study(tmp_path, "early", per_argument=1))
    steps.generate_step(db, ref)
    steps.open_step(db, ref)
    with open_store(db) as store:
        loaded = load_and_register(store, ref)
        with pytest.raises(UsageError) as still_open:
            open_follow_up(store, loaded, 1)
        with pytest.raises(UsageError, match="has no wave 7 to follow up"):
            open_follow_up(store, loaded, 7)
    assert str(still_open.value) == (
        "wave 1 of study 'early' is still open; close it first (`persuasion field close "
        "early`), its follow-up opens 30 days later"
    )
    steps.panel_step(db, ref)
    steps.sync_step(db, ref)
    with open_store(db) as store:
        loaded = load_and_register(store, ref)
        with store.session() as session:
            closed = as_utc(session.scalars(select(WaveRow.closed_at)).one())
        with pytest.raises(UsageError) as early:
            open_follow_up(store, loaded, 1, now=closed + timedelta(days=2))
        assert str(early.value) == (
            f"the follow-up of wave 1 of study 'early' is due on "
            f"{closed + timedelta(days=30):%Y-%m-%d %H:%M} UTC (follow_up.after_days = 30 after "
            "the wave closed); `persuasion serve` opens it then, or pass --early to open it now"
        )
        status = open_follow_up(store, loaded, 1, now=closed + timedelta(days=2), early=True)
        again = open_follow_up(store, loaded, 1, now=closed + timedelta(days=3))
        answers = follow_up_answers(store, loaded.study_id)
    assert (status.wave, status.status, status.completed > 0) == (2, "closed", True)
    assert again == status  # opened once: nobody invited or answering twice
    assert answers["follow_up"].notna().sum() > 0


def report_findings(db: str, out: Path, result: pd.DataFrame) -> None:
    """The report's tables and Findings carry the same durability numbers."""
    summary = steps.analyse_step(db, "durable", out)
    table = pd.read_csv(out / "durability.csv").set_index("writer")
    assert table["share"].to_dict() == pytest.approx(result["share"].to_dict(), nan_ok=True)
    assert table.loc["model-a", "share_low"] < SHARE < table.loc["model-a", "share_high"]
    assert set(pd.read_csv(out / "attrition.csv")["writer"]) == {"model-a", "human", "control"}
    text = Path(summary.html).read_text()
    assert "Durability (follow-up)" in text
    row = table.loc["model-a"]
    sentence = (
        f"model-a: {row['share']:.0%} of the effect remains after 30 days "
        f"[95% CI {row['share_low']:.0%}, {row['share_high']:.0%}]"
    )
    assert sentence in (out / "summary.md").read_text()
    assert "Attrition by arm: retention ranged from" in text
