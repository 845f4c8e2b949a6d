"""The fieldwork flows under the shared Prefect harness: a simulated study is opened, synced
to its quota (closing the wave) and its progress published as artifacts."""

import asyncio
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.artifacts import artifact_key
from flows.wave_flows import open_wave_flow, sync_fieldwork_flow
from study.store import open_store
from tests.support.field_data import tiny_study

pytestmark = pytest.mark.prefect


async def latest_artifact(key: str) -> object:
    async with get_client() as client:
        found = await client.read_latest_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )
    return found[0].data if found else None


def test_sync_flow_closes_the_wave_and_publishes_progress(
    prefect_harness: None, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'flow.db'}"
    with open_store(db) as store:
        tiny_study(store, tmp_path, platform="simulated", name="flowsim")
    study = str(tmp_path / "flowsim.toml")
    opened = open_wave_flow(study, db)
    assert (opened.status, opened.arguments_done) == ("open", 0)
    synced = sync_fieldwork_flow(study, db)
    assert (synced.status, synced.arguments_done, synced.arguments) == ("closed", 4, 4)
    progress = asyncio.run(latest_artifact(artifact_key("fieldwork-progress", "flowsim")))
    assert progress == 100.0
