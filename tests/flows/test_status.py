"""Where a study stands (`persuasion status`), as a plain function."""

from datetime import UTC, datetime
from pathlib import Path

from flows import steps
from flows.status import NextRun, StudyStatus, cron_runs, study_status, summary_lines
from study.loading import load_and_register
from study.store import open_store
from tests.flows.small_study import write_study


def test_status_counts_arguments_ratings_and_target(tmp_path: Path, sqlite_url: str) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    steps.panel_step(sqlite_url, ref)
    with open_store(sqlite_url) as store:
        state = study_status(store, load_and_register(store, ref))
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
    with open_store(sqlite_url) as store:
        loaded = load_and_register(store, ref)
    runs = cron_runs(loaded, now=datetime(2026, 1, 1, 2, 58, tzinfo=UTC))
    assert [(r.what, r.when.strftime("%H:%M")) for r in runs] == [
        ("sync-fieldwork", "03:00"),
        ("report-study", "03:00"),
    ]


def test_summary_names_the_latest_report_and_next_runs() -> None:
    state = StudyStatus(
        "s",
        "simulated",
        (),
        {"failed_attention_checks": 3},
        1.5,
        ((1, "closed"), (2, "open")),
        (NextRun("sync-fieldwork", datetime(2026, 1, 1, 3, 0, tzinfo=UTC), "prefect"),),
        (
            {"html": "/r/history/2/report.html", "n_ratings": 90, "index": "/r/index.html"},
            {"html": "/r/history/1/report.html", "n_ratings": 60, "index": "/r/index.html"},
        ),
    )
    assert summary_lines(state) == [
        "Waves: 1 closed, 2 open",
        "Excluded ratings: failed_attention_checks 3",
        "Cost so far: $1.50",
        "Latest report: /r/history/2/report.html (90 ratings); history of 2: /r/index.html",
        "Next sync-fieldwork: 2026-01-01 03:00:00 UTC (scheduled)",
    ]
