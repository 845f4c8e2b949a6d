"""The analysis flow on an imported (not simulated) study: report written, summary published
as a Markdown artifact."""

import asyncio
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from flows.analysis_flow import analyse_study
from flows.artifacts import artifact_key
from study.importers import import_anthropic
from study.store import open_store
from tests.analysis.anthropic_csv import anthropic_rows, write_rows

pytestmark = pytest.mark.prefect


async def latest_artifact(key: str) -> str:
    async with get_client() as client:
        artifact = await client.read_latest_artifacts()
    found = [a for a in artifact if a.key == key]
    return str(found[0].data) if found else ""


def test_analysis_flow_publishes_the_summary(prefect_harness: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    store = open_store(db)
    import_anthropic(store, write_rows(tmp_path / "d.csv", anthropic_rows()), "flow.test")
    store.dispose()
    report = analyse_study("flow.test", str(tmp_path / "report"), db)
    assert Path(report.html).is_file()
    assert Path(report.contrasts_csv).is_file()
    assert artifact_key("report", "flow.test") == "report-flow-test"
    markdown = asyncio.run(latest_artifact("report-flow-test"))
    assert markdown.startswith("# Persuasion report: flow.test")
    assert "SIMULATED DATA" not in markdown
