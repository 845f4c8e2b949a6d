"""`persuasion.wave.closed` once per wave, whatever closed it: closing writes an outbox row in
the same transaction, and the next flow run of the study publishes it, once."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from flows import steps
from flows.events import PUBLISHED_ROW, publish_wave_closures
from flows.wave_flows import sync_fieldwork_flow
from study.store import EventRow, open_store
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect
runner = CliRunner()


def published_rows(db: str) -> list[int]:
    with open_store(db) as store, store.session() as session:
        rows = session.scalars(select(EventRow).where(EventRow.kind == PUBLISHED_ROW))
        return sorted(int(r.payload["wave"]) for r in rows)


def test_a_forced_close_at_the_command_line_is_published_once_by_the_next_run(
    prefect_harness: None, tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    assert steps.open_step(sqlite_url, ref).status == "open"
    result = runner.invoke(app, ["field", "close", ref, "--force", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert published_rows(sqlite_url) == []  # the command line only wrote the outbox row
    assert publish_wave_closures(sqlite_url, "small") == [1]
    assert publish_wave_closures(sqlite_url, "small") == []
    assert published_rows(sqlite_url) == [1]


def test_a_sync_at_the_command_line_closes_and_the_served_sync_publishes(
    prefect_harness: None, tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    result = runner.invoke(app, ["field", "sync", ref, "--db", sqlite_url])
    assert result.exit_code == 0 and "wave 1 closed" in result.output, result.output
    assert sync_fieldwork_flow(ref, sqlite_url).status == "closed"  # sees it closed: publishes
    assert sync_fieldwork_flow(ref, sqlite_url).status == "closed"
    assert published_rows(sqlite_url) == [1]


@pytest.mark.postgres
def test_two_runs_at_once_publish_a_wave_once(
    prefect_harness: None, tmp_path: Path, postgres_url: str
) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(postgres_url, ref)
    steps.open_step(postgres_url, ref)
    steps.sync_step(postgres_url, ref)  # the simulated panel answers; the wave closes
    results: list[list[int]] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(publish_wave_closures(postgres_url, "small"))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [[], [], [], [1]]
    assert published_rows(postgres_url) == [1]
