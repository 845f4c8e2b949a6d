"""The end-to-end study flow: register, generate, field (simulated panel inline), analyse."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import steps

register_task = task(name="register-study", cache_policy=NO_CACHE)(steps.register_step)
generate_task = task(name="generate-arguments", cache_policy=NO_CACHE)(steps.generate_step)
simulate_task = task(name="simulated-panel", cache_policy=NO_CACHE)(steps.simulate_step)
analyse_task = task(name="analyse", cache_policy=NO_CACHE)(steps.analyse_step)


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
    panel = simulate_task(db, name)
    log.info(
        "simulated panel: wave %d, %d participants, %d ratings",
        panel.wave,
        panel.participants,
        panel.ratings,
    )
    report = analyse_task(db, name, Path(out_dir))
    log.info("report: %s", report.html)
    return report
