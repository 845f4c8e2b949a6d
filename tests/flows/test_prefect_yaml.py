"""prefect.yaml names the same flows, parameters and triggers as `persuasion serve`."""

import inspect
from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

from flows.events import WAVE_CLOSED
from study.config import Schedules

REPO = Path(__file__).resolve().parents[2]


def test_every_entrypoint_loads_and_takes_its_parameters() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    names = []
    for deployment in spec["deployments"]:
        flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
        names.append(flow.name)
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment["parameters"]) <= accepted, deployment["entrypoint"]
    assert names == ["sync-fieldwork", "report-study", "run-study"]


def test_schedules_and_trigger_match_the_study_file_defaults() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    sync, report, _ = spec["deployments"]
    assert sync["schedules"][0]["cron"] == Schedules().sync
    assert report["schedules"][0]["cron"] == Schedules().analysis
    assert report["triggers"][0]["expect"] == [WAVE_CLOSED]
