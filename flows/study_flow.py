"""The end-to-end study flow: register, generate, field (simulated panel inline), analyse."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import steps
from flows.analysis_flow import analyse_study

register_task = task(name="register-study", cache_policy=NO_CACHE)(steps.register_step)
generate_task = task(name="generate-arguments", cache_policy=NO_CACHE)(steps.generate_step)
field_task = task(name="fieldwork", cache_policy=NO_CACHE)(steps.field_step)


@flow(name="run-study", log_prints=True)
def run_study(study_ref: str, out_dir: str, db: str | None = None) -> steps.ReportSummary:
    """Study file to report. With the simulated panel every stage runs inline."""
    log = get_run_logger()
    name = register_task(db, study_ref)
    generated = generate_task(db, name)
    log.info(
        "arguments: %d planned, %d written %s",
        generated.planned,
        generated.written,
        generated.by_writer,
    )
    wave = field_task(db, name)
    log.info(
        "fieldwork: wave %d %s, %d of %d arguments have their %d ratings",
        wave.wave,
        wave.status,
        wave.arguments_done,
        wave.arguments,
        wave.target,
    )
    report = analyse_study(name, out_dir, db)
    log.info("report: %s", report.html)
    return report
