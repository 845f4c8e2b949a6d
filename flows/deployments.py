"""The deployments of a study: sync fieldwork every few minutes, the report nightly and on each
wave close, and (when the study file sets `schedules.new_generation`) a new-generation round.

Deployment names are the study's name, so in the Prefect UI a study's runs read
`sync-fieldwork/NAME`, `report-study/NAME` and `run-study/NAME`. Each run re-reads the study
file, so a writer added to it joins the next round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from common import MissingFile
from flows.events import wave_closed_trigger
from flows.report_flow import report_study
from flows.study_flow import run_study
from flows.wave_flows import sync_fieldwork_flow
from study import Study, load_study


@dataclass(frozen=True)
class StudyFile:
    path: Path
    study: Study


def study_files(folder: Path) -> list[StudyFile]:
    """Every study file (*.toml) in folder, validated; the first invalid one raises."""
    if not folder.is_dir():
        raise MissingFile(f"{folder}: no such folder; pass the folder of your study files")
    found = [StudyFile(p.resolve(), load_study(p)) for p in sorted(folder.glob("*.toml"))]
    if not found:
        raise MissingFile(
            f"{folder}: no study files (*.toml); write one with "
            f"`persuasion init NAME --dir {folder}`"
        )
    return found


def tag(study: str) -> str:
    return f"study:{study}"


def schedule_kwargs(cron: str, every: float | None) -> dict[str, Any]:
    """`every` seconds (for trying things out and tests) overrides the study file's cron, for
    every deployment. Each deployment runs one at a time: a run due while the last one still
    runs is cancelled, not queued, so a slow run or downtime never piles up a catch-up storm."""
    one_at_a_time = {
        "concurrency_limit": ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        )
    }
    if every is not None:
        return one_at_a_time | {"interval": timedelta(seconds=every)}
    return one_at_a_time | ({"cron": cron} if cron else {})


def study_deployments(
    entry: StudyFile, db: str | None, reports: Path, every: float | None = None
) -> list[Any]:
    """The RunnerDeployments of one study (for `prefect.serve`)."""
    name, schedules = entry.study.name, entry.study.schedules
    ref = str(entry.path)
    out_dir = str((reports / name).resolve())
    report_params = {"study": ref, "out_dir": out_dir, "db": db}
    tags = [tag(name), "persuasion"]
    deployments = [
        sync_fieldwork_flow.to_deployment(
            name=name,
            parameters={"study": ref, "db": db},
            tags=tags,
            description=f"Sync the fieldwork of {name} ({schedules.sync})",
            **schedule_kwargs(schedules.sync, every),
        ),
        report_study.to_deployment(
            name=name,
            parameters=report_params,
            tags=tags,
            description=f"Report of {name}: {schedules.analysis} and when a wave closes",
            triggers=[wave_closed_trigger(name, report_params)],
            **schedule_kwargs(schedules.analysis, every),
        ),
    ]
    from flows.follow_up import follow_up_deployments  # imports this module

    deployments += follow_up_deployments(entry, db, every)
    if schedules.new_generation:
        deployments.append(
            run_study.to_deployment(
                name=name,
                parameters={"study_ref": ref, "out_dir": out_dir, "db": db},
                tags=tags,
                description=f"New-generation round of {name} ({schedules.new_generation})",
                **schedule_kwargs(schedules.new_generation, every),
            )
        )
    return deployments


def folder_deployments(
    folder: Path, db: str | None, reports: Path | None = None, every: float | None = None
) -> list[Any]:
    """The deployments of every study file in folder; reports go to REPORTS/NAME/
    (default FOLDER/reports/NAME/)."""
    reports = reports or folder / "reports"
    return [
        d for entry in study_files(folder) for d in study_deployments(entry, db, reports, every)
    ]
