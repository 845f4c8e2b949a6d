"""One seeded study gives identical estimates on every task runner and store, run after run:
the simulated panel's shards allocate their participants and arguments without reading what
another shard is writing. (`python -m bench determinism --runs 5` runs the demo study five
times on each.)"""

import os
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_API_URL

from flows.study_flow import run_study_on
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect
RUNS = 2  # per runner and store, each from scratch


def _estimates(folder: Path, runner: str, url: str, address: str | None) -> pd.DataFrame:
    ref = str(write_study(folder, models=1))
    report = run_study_on(
        ref, str(folder / "r"), url, runner=runner, workers=3, address=address
    ).report
    assert report is not None
    frame = pd.read_csv(report.estimates_csv)
    return frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)


@pytest.mark.postgres
def test_same_seed_same_estimates_on_thread_dask_sqlite_postgres_run_after_run(
    prefect_harness: None, tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    from tests.support.postgres import create_database

    # Dask worker processes report task runs to the harness's server through the environment.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    monkeypatch.setenv("PREFECT_HOME", os.environ["PREFECT_HOME"])
    results = {}
    with LocalCluster(
        n_workers=3, threads_per_worker=1, dashboard_address=None, processes=True
    ) as cluster:  # one cluster for every Dask run (each run its own shards on it)
        for runner in ("thread", "dask"):
            address = cluster.scheduler_address if runner == "dask" else None
            for backend in ("sqlite", "postgres"):
                for run in range(RUNS):
                    name = f"{runner}-{backend}-{run}"
                    url = (
                        f"sqlite:///{tmp_path / name / 'store.db'}"
                        if backend == "sqlite"
                        else create_database(postgres_server, f"det_{runner}_{run}")
                    )
                    results[name] = _estimates(tmp_path / name, runner, url, address)
    first = results["thread-sqlite-0"]
    assert set(first["writer"]) == {"gen-1", "human", "control"}
    assert len(results) == 8
    for name, frame in results.items():
        pd.testing.assert_frame_equal(frame, first, obj=name)
