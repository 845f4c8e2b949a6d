"""Acceptance: a real local Prefect server, `persuasion serve` with schedules ten seconds apart,
and the sync and report runs happening by themselves; a wave-close event runs the report."""

from __future__ import annotations

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
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import steps
from flows.serve import free_port, local_server, stop
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect
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


def runs_of(api_url: str, flow_name: str) -> list[FlowRun]:
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
        deployment = client.read_deployment_by_name(f"{flow_name}/small")
        return client.read_flow_runs(
            flow_run_filter=due,
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            limit=200,
        )


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


def test_served_deployments_sync_and_report_by_themselves(tmp_path: Path) -> None:
    folder, db = tmp_path / "studies", f"sqlite:///{tmp_path / 'store.db'}"
    ref = str(write_study(folder))
    steps.generate_step(db, ref)
    steps.open_step(db, ref)  # a wave waits for its answers; the scheduled sync collects them
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
                    "a completed sync and a report of the synced ratings",
                    lambda: (
                        bool(completed(runs_of(api_url, "sync-fieldwork")))
                        and bool(completed(runs_of(api_url, "report-study")))
                        and (folder / "reports" / "small" / "report.html").exists()
                    ),
                    log,
                )
                assert steps.sync_step(db, ref).status == "closed"
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "from flows.events import emit_wave_closed as e; e('small', 1, 76)",
                    ],
                    env=env,
                    check=True,
                    timeout=120,
                )
                # The automation creates a run of the report deployment (not auto-scheduled);
                # whether the busy runner has started it yet does not matter here.
                wait_for(
                    "a report run created by the wave-close event",
                    lambda: any(
                        not r.auto_scheduled
                        and r.parameters.get("study") == str(Path(ref).resolve())
                        for r in runs_of(api_url, "report-study")
                    ),
                    log,
                )
            finally:
                stop(serve)
