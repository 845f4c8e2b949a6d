"""A `serve` restart cleans up the runs its killed predecessor left Pending."""

from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Pending

from flows.deployments import folder_deployments
from flows.serve import clean_up_pending
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect


def test_runs_left_pending_are_marked_crashed_on_restart(
    prefect_harness: None, tmp_path: Path
) -> None:
    write_study(tmp_path, name="cleanup")
    deployments = folder_deployments(tmp_path, None)
    sync = next(d for d in deployments if d.flow_name == "sync-fieldwork")
    deployment_id = sync.apply()
    with get_client(sync_client=True) as client:
        stuck = client.create_flow_run_from_deployment(deployment_id)
        client.set_flow_run_state(stuck.id, Pending(), force=True)
        waiting = client.create_flow_run_from_deployment(deployment_id)  # Scheduled: kept
    said: list[str] = []
    assert clean_up_pending(deployments, said.append) == 1
    assert said == ["Marked 1 run(s) left Pending by a stopped serve as Crashed."]
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(stuck.id).state
        kept = client.read_flow_run(waiting.id).state
    assert state is not None and state.is_crashed()
    assert kept is not None and kept.is_scheduled()
    assert clean_up_pending(deployments, said.append) == 0


def test_next_runs_come_from_prefect_yaml_deployments_too(
    prefect_harness: None, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from prefect.states import Scheduled

    from flows.status import prefect_runs
    from flows.wave_flows import sync_fieldwork_flow

    # as prefect.yaml deploys it: named after the study, tagged only `persuasion`
    deployment = sync_fieldwork_flow.to_deployment(
        name="yamlstudy", tags=["persuasion"], parameters={"study": "yamlstudy"}
    )
    deployment_id = deployment.apply()
    when = datetime.now(UTC) + timedelta(hours=1)
    with get_client(sync_client=True) as client:
        client.create_flow_run_from_deployment(deployment_id, state=Scheduled(scheduled_time=when))
    runs = prefect_runs("yamlstudy")
    assert [(r.what, r.source) for r in runs] == [("sync-fieldwork", "prefect")]
    assert prefect_runs("otherstudy") == ()
