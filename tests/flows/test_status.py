"""Where a study stands (`persuasion status`), as a plain function."""

from datetime import UTC, datetime
from pathlib import Path

from flows import steps
from flows.status import cron_runs, study_status
from study.loading import load_and_register
from study.store import open_store
from tests.flows.small_study import write_study


def test_status_counts_arguments_ratings_and_target(tmp_path: Path, sqlite_url: str) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    steps.panel_step(sqlite_url, ref)
    store = open_store(sqlite_url)
    try:
        state = study_status(store, load_and_register(store, ref))
    finally:
        store.dispose()
    rows = {w.writer: (w.arguments, w.ratings, w.target) for w in state.writers}
    assert rows == {
        "gen-1": (12, 24, 24),
        "gen-2": (12, 24, 24),
        "human": (12, 24, 24),
        "control": (2, 4, 4),
    }
    assert state.waves == ((1, "open"),)
    assert state.cost_usd == 0.0


def test_next_runs_from_the_study_files_crons(tmp_path: Path, sqlite_url: str) -> None:
    schedules = '[schedules]\nsync = "*/5 * * * *"\nanalysis = "0 3 * * *"\n'
    ref = str(write_study(tmp_path, schedules=schedules))
    store = open_store(sqlite_url)
    try:
        loaded = load_and_register(store, ref)
    finally:
        store.dispose()
    runs = cron_runs(loaded, now=datetime(2026, 1, 1, 2, 58, tzinfo=UTC))
    assert [(r.what, r.when.strftime("%H:%M")) for r in runs] == [
        ("sync-fieldwork", "03:00"),
        ("report-study", "03:00"),
    ]
