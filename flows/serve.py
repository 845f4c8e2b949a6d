"""Serving a folder of studies: every study's deployments in one long-running process, and a
long-lived local Prefect server when none is configured (the ephemeral one fires no schedules).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from common import PersuasionError
from study.store import ENV_VAR, resolve_url

DEFAULT_PORT = 4200
PREFECT_SERVER = (sys.executable, "-m", "prefect", "server", "start")
LOCAL_SERVER_NOTE = (
    "No Prefect server is configured (PREFECT_API_URL is unset) and {reason}: started a "
    "long-lived local one at {url} (UI: {ui}); it stops when this command stops. To keep one "
    "running yourself: `prefect server start`, then "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api`."
)
SERVER_TIMEOUT = 180.0


class ServerError(PersuasionError, RuntimeError):
    """The local Prefect server did not start."""


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """`preferred` if nothing listens there, else any free loopback port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise ServerError("no free loopback port for the Prefect server")


def wait_healthy(api_url: str, timeout: float, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServerError(f"the Prefect server at {api_url} was not healthy within {timeout:.0f} s")


@contextmanager
def local_server(
    port: int | None = None,
    home: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = SERVER_TIMEOUT,
    log: Path | None = None,
) -> Iterator[str]:
    """Run `prefect server start` on loopback for the duration; yield its API URL.

    `home` sets PREFECT_HOME (its database lives there); `env` adds settings (for example a
    faster scheduler loop in tests). The server is stopped on exit."""
    port = port or free_port()
    full_env = dict(os.environ) | (env or {})
    full_env.pop("PREFECT_API_URL", None)
    if home is not None:
        full_env["PREFECT_HOME"] = str(home)
    out = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [*PREFECT_SERVER, "--host", "127.0.0.1", "--port", str(port)],
        env=full_env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(api_url, timeout, process)
        yield api_url
    finally:
        stop(process)
        if log and not isinstance(out, int):
            out.close()


def stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """Stop a process we started (and its children, by its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)
    except ProcessLookupError:
        pass


def store_parameter(db: str | None) -> str | None:
    """The store URL for deployment parameters, or None (runs then read $PERSUASION_DB) when
    it holds a password, which must not show in the Prefect UI. Sets $PERSUASION_DB for the
    runs this process starts."""
    url = resolve_url(db)
    os.environ[ENV_VAR] = url
    return None if make_url(url).password else url


def serve_folder(
    folder: Path,
    db: str | None,
    reports: Path | None = None,
    every: float | None = None,
    limit: int = 4,
) -> None:
    """Serve every study's deployments until interrupted (blocks)."""
    from prefect import serve

    from flows.deployments import folder_deployments

    deployments = folder_deployments(folder, store_parameter(db), reports, every)
    clean_up_pending(deployments)
    serve(*deployments, limit=limit)


def clean_up_pending(deployments: list[Any], say: Callable[[str], None] = print) -> int:
    """Mark Crashed the runs of these deployments that a killed predecessor of this serve
    left Pending (taken by its runner, never started), so they do not block the one-at-a-time
    limit or wait forever. Returns how many were cleaned up."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    pending = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PENDING]))
    )
    cleaned = 0
    with get_client(sync_client=True) as client:
        for deployment in deployments:
            try:
                found = client.read_deployment_by_name(f"{deployment.flow_name}/{deployment.name}")
            except ObjectNotFound:
                continue
            runs = client.read_flow_runs(
                flow_run_filter=pending,
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[found.id])),
            )
            for run in runs:
                message = "left Pending by a serve process that stopped; cleaned up on restart"
                client.set_flow_run_state(run.id, Crashed(message=message), force=True)
                cleaned += 1
    if cleaned:
        say(f"Marked {cleaned} run(s) left Pending by a stopped serve as Crashed.")
    return cleaned


def drain_prefect(timeout: float = 10.0) -> None:
    """Send this process's queued Prefect logs and events now, while the server still runs
    (otherwise they retry against a stopped server when the process exits)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout)
    EventsWorker.drain_all(timeout=timeout)


@contextmanager
def prefect_api(reason: str, say: Callable[[str], None] = print) -> Iterator[str]:
    """The configured Prefect API (PREFECT_API_URL), or a long-lived local server started for
    the duration (and said so, with `reason`); other processes started meanwhile (flow runs,
    Dask workers) inherit its address through the environment."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    with local_server() as api_url:
        say(LOCAL_SERVER_NOTE.format(reason=reason, url=api_url, ui=api_url.removesuffix("/api")))
        os.environ["PREFECT_API_URL"] = api_url
        try:
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                yield api_url
                drain_prefect()
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def serve_studies(
    folder: Path,
    db: str | None,
    reports: Path | None = None,
    every: float | None = None,
    limit: int = 4,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the folder's studies on the configured Prefect server, or on a long-lived local
    one started here (and said so) when PREFECT_API_URL is unset. Blocks until interrupted."""
    from flows.deployments import folder_deployments
    from study.store import open_store

    folder_deployments(folder, None, reports, every)  # fail on a bad study file before starting
    with open_store(db):  # and on a store that cannot be opened
        pass
    with prefect_api("Prefect's temporary server fires no schedules", say):
        serve_folder(folder, db, reports, every, limit)
