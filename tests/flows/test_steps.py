"""The plain steps behind run_study: safe to re-run, new-generation rounds, panel shards."""

from pathlib import Path

import pytest
from sqlalchemy import select

from analysis import ratings_table
from fieldwork.panel_store import shard_of
from flows import steps
from flows.history import waves_by_writer
from study.store import ArgumentRow, open_store
from study.store.repo import get_study_row
from surveys.simulated import ArgumentRef
from tests.flows.small_study import write_study


def field_inline(db: str, ref: str, shards: int = 1) -> steps.WaveStatus:
    steps.generate_step(db, ref)
    wave = steps.open_step(db, ref)
    if wave.status == "open":
        for shard in range(shards):
            steps.panel_step(db, ref, shard, shards)
    return steps.sync_step(db, ref)


def waves(db: str, name: str) -> dict[str, str]:
    with open_store(db) as store:
        with store.session() as session:
            study_id = get_study_row(session, name).id
        return waves_by_writer(ratings_table(store, study_id))


def test_rerun_adds_no_wave_and_no_rating(tmp_path: Path, sqlite_url: str) -> None:
    ref = str(write_study(tmp_path))
    first = field_inline(sqlite_url, ref)
    again = field_inline(sqlite_url, ref)
    assert (first.wave, first.status, first.ratings) == (1, "closed", 76)
    assert (again.wave, again.status, again.ratings) == (1, "closed", 76)


def test_new_model_gets_only_its_arguments_and_ratings_in_a_new_wave(
    tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path, models=1))
    before = field_inline(sqlite_url, ref)
    write_study(tmp_path, models=2)  # a new model generation joins the study file
    generated = steps.generate_step(sqlite_url, ref)
    after = field_inline(sqlite_url, ref)
    assert generated.by_writer == {"gen-2": 12}
    assert after.wave == before.wave + 1 == 2
    assert after.ratings_by_writer == before.ratings_by_writer | {"gen-2": 24}
    assert waves(sqlite_url, "small") == {"control": "1", "gen-1": "1", "human": "1", "gen-2": "2"}
    with open_store(sqlite_url) as store, store.session() as session:
        fielded = session.execute(select(ArgumentRow.writer, ArgumentRow.wave_number)).all()
    assert {w: n for w, n in fielded if w == "gen-2"} == {"gen-2": 2}
    assert {n for w, n in fielded if w != "gen-2"} == {1}


def test_panel_shards_rate_every_argument_exactly_to_target(
    tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path))
    status = field_inline(sqlite_url, ref, shards=3)
    assert (status.status, status.arguments_done, status.arguments) == ("closed", 38, 38)
    assert status.ratings == 38 * 2


def test_shards_split_by_whole_topics_without_overlap() -> None:
    topics = [f"t{i}" for i in range(5)]
    args = [ArgumentRef(i, f"c{i}", f"t{i % 5}", "w", 1) for i in range(20)]
    parts = [shard_of(args, i, 3, topics) for i in range(3)]
    assert sorted(a.id for part in parts for a in part) == list(range(20))
    mine = [{a.topic for a in part} for part in parts]
    assert all(not (mine[i] & mine[j]) for i in range(3) for j in range(i + 1, 3))


def test_a_shard_keeps_its_topics_while_others_finish() -> None:
    topics = [f"t{i}" for i in range(5)]
    args = [ArgumentRef(i, f"c{i}", f"t{i % 5}", "w", 1) for i in range(20)]
    later = [a for a in args if a.topic != "t0"]  # shard 0 already rated all of t0
    assert shard_of(later, 1, 3, topics) == shard_of(args, 1, 3, topics)


def test_shard_outside_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"shard 3 is outside 0\.\.2"):
        shard_of([], 3, 3, [])


def test_generation_progress_line_counts_cost_and_time_left() -> None:
    import time

    started = time.monotonic() - 30  # 30 s for the first 100 of 400 requests
    line = steps.progress_line(100, 400, 2.0, started)
    assert line.startswith("generation: 100/400 requests (25 %), at most $0.50 of $2.00, about ")
    assert line.endswith(" s left") or line.endswith(" min left")
    assert steps.progress_line(400, 400, 2.0, started).endswith("$2.00 of $2.00, done")
    assert steps.progress_line(0, 400, 2.0, started).endswith("starting")
