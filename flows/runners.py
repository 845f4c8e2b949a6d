"""Task runners by name: a bounded thread pool (default) or a Dask cluster (prefect-dask).

The parallel units of a study are the simulated panel's shards (see flows.study_flow). A
thread pool suits one machine and a SQLite store; a Dask cluster (local, or an existing
scheduler by address) suits many cores and a PostgreSQL store.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from prefect.task_runners import ThreadPoolTaskRunner

from common import UsageError

RunnerKind = Literal["thread", "dask"]
RUNNER_KINDS: tuple[str, ...] = get_args(RunnerKind)


def make_task_runner(kind: str = "thread", workers: int = 4, address: str | None = None) -> Any:
    """A task runner: `thread` (a pool of `workers` threads) or `dask` (a local cluster of
    `workers` single-threaded processes, or the scheduler at `address`)."""
    if kind not in RUNNER_KINDS:
        raise UsageError(
            f"task runner {kind!r} is not known; choose one of: {', '.join(RUNNER_KINDS)}"
        )
    if workers < 1:
        raise UsageError(f"workers = {workers} must be at least 1")
    if kind == "thread":
        if address:
            raise UsageError("--address is for the dask runner; drop it or pass --runner dask")
        return ThreadPoolTaskRunner(max_workers=workers)
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "dashboard_address": None}
    )
