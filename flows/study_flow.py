"""The end-to-end study flow: register, generate, open a wave, field, analyse, publish.

Every step reads the store and is safe to run again: a re-run generates only missing
arguments, fields only the ratings arguments still lack (a new writer in the study file gets a
new wave; the old ratings stay; an interrupted panel is topped up) and re-analyses everything.
A wave that is not complete is analysed only when asked (`partial`), and the report says so.
With the simulated panel all of it runs inline, its shards in parallel on the task runner;
with a real platform the flow stops after opening the wave and the served deployments
(`persuasion serve`) sync and analyse on schedule.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows import steps
from flows.analysis_flow import analyse_study
from flows.events import publish_wave_closures
from flows.limits import one_run_of
from flows.report_flow import publish_report
from flows.runners import make_task_runner
from flows.wave_flows import publish_progress

register_task = task(name="register-study", cache_policy=NO_CACHE)(steps.register_step)
generate_task = task(name="generate-arguments", cache_policy=NO_CACHE)(steps.generate_step)
open_task = task(name="open-wave", cache_policy=NO_CACHE)(steps.open_step)
panel_task = task(name="simulated-panel", cache_policy=NO_CACHE)(steps.panel_step)
sync_task = task(name="sync-fieldwork", cache_policy=NO_CACHE)(steps.sync_step)
DEFAULT_RUNNER: Any = ThreadPoolTaskRunner(max_workers=4)


@flow(name="run-study", log_prints=True, task_runner=DEFAULT_RUNNER)
def run_study(
    study_ref: str, out_dir: str, db: str | None = None, shards: int = 1, partial: bool = False
) -> steps.StudyOutcome:
    """Study file to report. With the simulated panel every stage runs inline (in `shards`
    parallel parts); with a real platform it stops once the wave is open. A wave that is not
    complete is analysed only with `partial` (the report then says so at the top); otherwise
    the outcome has no report and says what is missing. One run of a study at a time (see
    flows.limits): a served sync or report of the same study waits for this one."""
    with one_run_of(study_ref):
        return _run_study(study_ref, out_dir, db, shards, partial)


def _run_study(
    study_ref: str, out_dir: str, db: str | None, shards: int, partial: bool
) -> steps.StudyOutcome:
    log = get_run_logger()
    name = register_task(db, study_ref)
    ref = study_ref  # not `name`: a study file's relative claim-set path resolves against it
    generated = generate_task(db, ref)
    log.info("arguments: %d written now %s", generated.written, generated.by_writer)
    wave = open_task(db, ref)
    simulated = wave.platform == "simulated"
    if simulated and wave.status == "open":
        futures = [panel_task.submit(db, ref, i, shards) for i in range(shards)]
        log.info("simulated panel: %d ratings", sum(f.result() for f in futures))
    if simulated or (partial and wave.status == "open"):
        wave = sync_task(db, ref)
    publish_progress(wave)  # the fieldwork artifacts a served sync publishes
    publish_wave_closures(db, name)  # the report below is inline; served triggers may follow
    incomplete = steps.incomplete_note(wave)
    log.info(
        "fieldwork: wave %d %s, %d of %d arguments have their %d ratings",
        wave.wave,
        wave.status,
        wave.arguments_done,
        wave.arguments,
        wave.target,
    )
    if incomplete and not partial:
        if simulated:
            log.warning("not analysed: %s", incomplete)
        return steps.StudyOutcome(None, wave, incomplete)
    report = analyse_study(study_ref, out_dir, db, incomplete)
    publish_report(db, name, report)
    log.info("report: %s", report.html)
    return steps.StudyOutcome(report, wave, incomplete)


def run_study_on(
    study_ref: str,
    out_dir: str,
    db: str | None = None,
    *,
    runner: str = "thread",
    workers: int = 4,
    address: str | None = None,
    partial: bool = False,
) -> steps.StudyOutcome:
    """`run_study` on a chosen task runner (see flows.runners), one panel shard per worker."""
    task_runner = make_task_runner(runner, workers, address)
    return run_study.with_options(task_runner=task_runner)(study_ref, out_dir, db, workers, partial)
