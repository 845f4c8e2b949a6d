"""Acceptance: a real local Prefect server, `persuasion serve` of two studies with schedules ten
seconds apart: the sync and report runs happen by themselves, no two runs of one deployment
overlap, and every closed wave gives exactly one `persuasion.wave.closed` event (and one
triggered report run), whatever closed it: a served sync, `field sync` or `field close --force`
at the command line."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
)
from prefect.client.schemas.objects import FlowRun
from prefect.events.filters import EventFilter, EventNameFilter
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from cli.main import app
from flows import steps
from flows.events import WAVE_CLOSED
from flows.serve import free_port, local_server, stop
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect
runner = CliRunner()
TIMEOUT = 420.0  # generous: the machine is shared, runs queue up when it is busy
FAST_SERVER = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
    # services this test does not need, which only add writes to the server's SQLite file
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
}


def runs_of(api_url: str, flow_name: str, study: str = "small") -> list[FlowRun]:
    """Runs of the deployment that were due by now (not the scheduler's future runs)."""
    due = FlowRunFilter(
        expected_start_time=FlowRunFilterExpectedStartTime(
            before_=datetime.now(UTC) + timedelta(seconds=5)
        )
    )
    with (
        temporary_settings(updates={PREFECT_API_URL: api_url}),
        get_client(sync_client=True) as client,
    ):
        deployment = client.read_deployment_by_name(f"{flow_name}/{study}")
        return client.read_flow_runs(
            flow_run_filter=due,
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            limit=200,
        )


def wave_closed_events(api_url: str) -> list[tuple[str, int]]:
    """(study, wave) of every `persuasion.wave.closed` event the Prefect server received."""
    with (
        temporary_settings(updates={PREFECT_API_URL: api_url}),
        get_client(sync_client=True) as client,
    ):
        page = client.read_events(EventFilter(event=EventNameFilter(name=[WAVE_CLOSED])), limit=50)
    return sorted(
        (e.resource.id.removeprefix("persuasion.study."), int(e.payload["wave"]))
        for e in page.events
    )


def overlapping(runs: list[FlowRun]) -> list[str]:
    """Pairs of runs of one deployment that were running at the same time, described. A run
    cancelled by the one-at-a-time limit never ran (Prefect stamps it started and ended at
    the cancellation), so it is left out."""
    ran = sorted(
        (
            r
            for r in runs
            if r.start_time is not None
            and r.end_time is not None
            and not (r.state is not None and r.state.is_cancelled())
        ),
        key=lambda r: r.start_time,  # type: ignore[arg-type,return-value]
    )

    def say(r: FlowRun) -> str:
        state = r.state.name if r.state else "?"
        how = "scheduled" if r.auto_scheduled else "triggered"
        return f"{r.name} ({how}, {state}, {r.start_time:%H:%M:%S.%f}-{r.end_time:%H:%M:%S.%f})"

    return [
        f"{say(a)} and {say(b)}"
        for a, b in itertools.pairwise(ran)
        if b.start_time < a.end_time  # type: ignore[operator]
    ]


def wait_for(what: str, check: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    problem = ""
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # the deployments may not be registered yet
            problem = repr(exc)
        time.sleep(2)
    tail = "\n".join(log.read_text().splitlines()[-60:])
    pytest.fail(f"{what} did not happen within {TIMEOUT:.0f} s ({problem}); serve log:\n{tail}")


def completed(runs: list[FlowRun]) -> list[FlowRun]:
    return [r for r in runs if r.state is not None and r.state.is_completed()]


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# small: wave 1 closed by a served sync. other: wave 1 closed by `field sync` and wave 2 by
# `field close --force` at the command line, before serving; the served sync then has the
# simulated panel top up wave 2's unrated arguments, in wave 3, and closes it.
CLOSES = [("other", 1), ("other", 2), ("other", 3), ("small", 1)]


def prepare(folder: Path, db: str) -> tuple[str, str]:
    """Two studies. `small`: a wave open, for the served sync to collect and close. `other`:
    wave 1 closed by `field sync` at the command line, then a writer added and wave 2 closed
    by `field close --force`: two closes the command line leaves for the served runs to
    publish."""
    small = str(write_study(folder))
    steps.generate_step(db, small)
    steps.open_step(db, small)
    other = str(write_study(folder, name="other", models=1))
    steps.generate_step(db, other)
    steps.open_step(db, other)
    assert "wave 1 closed" in cli("field", "sync", other, "--db", db)
    write_study(folder, name="other", models=2)
    steps.generate_step(db, other)
    assert steps.open_step(db, other).wave == 2
    cli("field", "close", other, "--force", "--db", db)
    return small, other


@pytest.mark.timeout(1800)  # about 10 minutes on a loaded two-core machine
def test_two_served_studies_run_by_themselves_one_run_at_a_time_one_event_per_close(
    tmp_path: Path,
) -> None:
    folder, db = tmp_path / "studies", f"sqlite:///{tmp_path / 'store.db'}"
    small, other = prepare(folder, db)
    log = tmp_path / "serve.log"
    home = tmp_path / "prefect-home"
    server_log = tmp_path / "server.log"
    with local_server(free_port(0), home, FAST_SERVER, log=server_log) as api_url:
        env = os.environ | {
            "PREFECT_API_URL": api_url,
            "PREFECT_HOME": str(home),
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        }
        persuasion = str(Path(sys.executable).with_name("persuasion"))
        with log.open("wb") as out:
            serve = subprocess.Popen(
                [persuasion, "serve", str(folder), "--every", "10", "--db", db],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_for(
                    "a served sync closing small's wave and publishing every close, and "
                    "reports of both studies",
                    lambda: (
                        wave_closed_events(api_url) == CLOSES
                        and bool(completed(runs_of(api_url, "report-study")))
                        and (folder / "reports" / "small" / "report.html").exists()
                        and (folder / "reports" / "other" / "report.html").exists()
                    ),
                    log,
                )
                assert steps.sync_step(db, small).status == "closed"
                assert steps.sync_step(db, other).status == "closed"
                # The wave-close trigger created one report run per event (not scheduled).
                wait_for(
                    "a report run for each wave-close event",
                    lambda: (
                        [
                            len(
                                [
                                    r
                                    for r in runs_of(api_url, "report-study", s)
                                    if not r.auto_scheduled
                                ]
                            )
                            for s in ("small", "other")
                        ]
                        == [1, 3]
                    ),
                    log,
                )
                # Later syncs of both studies see the closed waves and publish nothing again.
                seen = {
                    s: len(completed(runs_of(api_url, "sync-fieldwork", s)))
                    for s in ("small", "other")
                }
                wait_for(
                    "another completed sync of each study",
                    lambda: all(
                        len(completed(runs_of(api_url, "sync-fieldwork", s))) > seen[s]
                        for s in ("small", "other")
                    ),
                    log,
                )
                assert wave_closed_events(api_url) == CLOSES
                for study in ("small", "other"):
                    for flow_name in ("sync-fieldwork", "report-study"):
                        runs = runs_of(api_url, flow_name, study)
                        assert overlapping(runs) == [], (flow_name, study)
            finally:
                stop(serve)
