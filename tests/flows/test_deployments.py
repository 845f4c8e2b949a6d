"""The deployments `persuasion serve` serves, built without a server."""

from pathlib import Path

import pytest

from flows.deployments import folder_deployments
from flows.events import WAVE_CLOSED, study_resource_id
from flows.runners import make_task_runner
from study.config import StudyFileError
from tests.flows.small_study import write_study

SCHEDULES = (
    '[schedules]\nsync = "*/5 * * * *"\nanalysis = "0 3 * * *"\nnew_generation = "0 6 * * 1"\n'
)


def by_flow(deployments: list) -> dict:
    return {d.flow_name: d for d in deployments}


def test_each_study_gets_sync_report_and_round(tmp_path: Path) -> None:
    write_study(tmp_path, schedules=SCHEDULES)
    deps = by_flow(folder_deployments(tmp_path, "sqlite:///x.db"))
    assert set(deps) == {"sync-fieldwork", "report-study", "run-study"}
    assert {d.name for d in deps.values()} == {"small"}
    assert deps["sync-fieldwork"].schedules[0].schedule.cron == "*/5 * * * *"
    assert deps["report-study"].schedules[0].schedule.cron == "0 3 * * *"
    assert deps["run-study"].schedules[0].schedule.cron == "0 6 * * 1"
    assert deps["report-study"].parameters["out_dir"] == str((tmp_path / "reports/small").resolve())
    assert deps["sync-fieldwork"].parameters == {
        "study": str((tmp_path / "small.toml").resolve()),
        "db": "sqlite:///x.db",
    }


def test_report_runs_when_a_wave_of_its_study_closes(tmp_path: Path) -> None:
    write_study(tmp_path)
    trigger = by_flow(folder_deployments(tmp_path, None))["report-study"].triggers[0]
    assert trigger.expect == {WAVE_CLOSED}
    assert trigger.match.model_dump()["prefect.resource.id"] == study_resource_id("small")


def test_every_overrides_crons_and_no_round_without_its_cron(tmp_path: Path) -> None:
    write_study(tmp_path)
    deps = by_flow(folder_deployments(tmp_path, None, every=3))
    assert set(deps) == {"sync-fieldwork", "report-study"}
    assert deps["sync-fieldwork"].schedules[0].schedule.interval.total_seconds() == 3


def test_every_deployment_runs_one_at_a_time_and_every_means_every(tmp_path: Path) -> None:
    write_study(tmp_path, schedules=SCHEDULES)
    deps = by_flow(folder_deployments(tmp_path, None, every=7))
    assert set(deps) == {"sync-fieldwork", "report-study", "run-study"}
    for flow_name, deployment in deps.items():
        assert deployment.schedules[0].schedule.interval.total_seconds() == 7, flow_name
        assert deployment.concurrency_limit == 1, flow_name
        assert deployment.concurrency_options.collision_strategy == "CANCEL_NEW", flow_name


def test_bad_study_file_in_folder_is_named(tmp_path: Path) -> None:
    write_study(tmp_path)
    (tmp_path / "broken.toml").write_text("[study]\n")
    with pytest.raises(StudyFileError, match=r"broken\.toml: writers: missing"):
        folder_deployments(tmp_path, None)


def test_empty_folder_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="persuasion init NAME"):
        folder_deployments(tmp_path, None)


def test_unknown_runner_lists_the_choices() -> None:
    with pytest.raises(
        ValueError, match="task runner 'ray' is not known; choose one of: thread, dask"
    ):
        make_task_runner("ray")


def test_address_belongs_to_the_dask_runner() -> None:
    with pytest.raises(ValueError, match="--address is for the dask runner"):
        make_task_runner("thread", address="tcp://127.0.0.1:8786")
