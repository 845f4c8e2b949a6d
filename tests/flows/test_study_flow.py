"""run_study under the Prefect test harness: a new-generation round, artifacts, Dask +
PostgreSQL."""

import os
from pathlib import Path

import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from flows.report_flow import link_key
from flows.status import study_status
from flows.study_flow import run_study, run_study_on
from study.loading import load_and_register
from study.store import open_store
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect


def test_new_generation_round_reports_all_generations_with_their_waves(
    prefect_harness: None, tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path, models=1))
    out = str(tmp_path / "report")
    first = run_study(ref, out, sqlite_url).report
    write_study(tmp_path, models=2)
    second = run_study_on(ref, out, sqlite_url, runner="thread", workers=3).report  # 3 shards
    assert first is not None and second is not None
    estimates = pd.read_csv(second.estimates_csv, dtype={"waves": str}).set_index("writer")
    assert estimates.loc["gen-1", "n_ratings"] == 24 and estimates.loc["gen-1", "waves"] == "1"
    assert estimates.loc["gen-2", "n_ratings"] == 24 and estimates.loc["gen-2", "waves"] == "2"
    history = sorted((tmp_path / "report" / "history").iterdir())
    assert len(history) == 2
    with open_store(sqlite_url) as store:
        reports = study_status(store, load_and_register(store, ref)).reports
    assert [Path(r["html"]).parent.name for r in reports] == [h.name for h in reversed(history)]
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts(limit=50)
    links = [a for a in artifact if a.key == link_key("small")]
    assert len(links) == 1  # one key: the Prefect UI keeps every version as its history
    assert f"history/{history[-1].name}/report.html" in str(links[0].data)


@pytest.mark.postgres
def test_study_on_a_local_dask_cluster_with_postgres_store(
    prefect_harness: None, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dask worker processes report task runs to the harness's server through the environment.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    monkeypatch.setenv("PREFECT_HOME", os.environ["PREFECT_HOME"])
    ref = str(write_study(tmp_path))
    report = run_study_on(ref, str(tmp_path / "r"), postgres_url, runner="dask", workers=2).report
    assert report is not None
    estimates = pd.read_csv(report.estimates_csv).set_index("writer")
    assert estimates["n_ratings"].to_dict() == {
        "gen-1": 24,
        "gen-2": 24,
        "human": 24,
        "control": 4,
    }
