"""PostgreSQL as both the store and Prefect's own database (the README's scale-out steps)."""

from pathlib import Path

import psycopg
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.serve import drain_prefect, free_port, local_server
from flows.study_flow import run_study
from tests.flows.small_study import write_study
from tests.support.postgres import create_database

pytestmark = [pytest.mark.prefect, pytest.mark.postgres]


def test_study_runs_on_a_prefect_server_whose_database_is_postgres(
    tmp_path: Path, postgres_server: str, postgres_url: str
) -> None:
    prefect_db = create_database(postgres_server, "prefect_on_pg")
    env = {
        "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.replace(
            "postgresql://", "postgresql+asyncpg://"
        ),
        "PREFECT_UI_ENABLED": "false",
    }
    ref = str(write_study(tmp_path))
    with (
        local_server(free_port(0), tmp_path / "home", env, log=tmp_path / "server.log") as api,
        temporary_settings(updates={PREFECT_API_URL: api}),
    ):
        report = run_study(ref, str(tmp_path / "report"), postgres_url).report
        drain_prefect()
    assert report is not None and report.n_ratings == 76
    with psycopg.connect(prefect_db) as conn:
        row = conn.execute("SELECT count(*) FROM flow_run WHERE name IS NOT NULL").fetchone()
    assert row is not None and row[0] >= 2  # run-study and its analyse-study subflow
