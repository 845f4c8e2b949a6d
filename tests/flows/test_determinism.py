"""One seeded study gives identical estimates on every task runner and store: the simulated
panel's shards allocate their participants and arguments without reading what another shard
is writing."""

import os
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_API_URL

from flows.study_flow import run_study_on
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect


def _estimates(tmp_path: Path, name: str, runner: str, url: str) -> pd.DataFrame:
    ref = str(write_study(tmp_path / name))
    report = run_study_on(ref, str(tmp_path / name / "r"), url, runner=runner, workers=3).report
    assert report is not None
    frame = pd.read_csv(report.estimates_csv)
    return frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)


@pytest.mark.postgres
def test_same_seed_same_estimates_on_thread_dask_sqlite_postgres(
    prefect_harness: None, tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.postgres import create_database

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    monkeypatch.setenv("PREFECT_HOME", os.environ["PREFECT_HOME"])
    results = {}
    for runner in ("thread", "dask"):
        for backend in ("sqlite", "postgres"):
            name = f"{runner}-{backend}"
            url = (
                f"sqlite:///{tmp_path / name / 'store.db'}"
                if backend == "sqlite"
                else create_database(postgres_server, f"det_{runner}")
            )
            results[name] = _estimates(tmp_path, name, runner, url)
    first = results["thread-sqlite"]
    assert set(first["writer"]) == {"gen-1", "gen-2", "human", "control"}
    for name, frame in results.items():
        pd.testing.assert_frame_equal(frame, first, obj=name)
