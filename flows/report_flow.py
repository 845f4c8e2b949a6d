"""The scheduled (and wave-close triggered) report: analyse, say which waves each estimate comes
from, archive it in the study's report history, and link it from the Prefect UI."""

from __future__ import annotations

import re
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact
from prefect.cache_policies import NO_CACHE

from flows import history, steps
from flows.analysis_flow import analyse_study
from flows.limits import one_run_of


def link_key(study: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    slug = re.sub(r"[^a-z0-9-]+", "-", study.lower()).strip("-") or "study"
    return f"report-link-{slug}"


@task(name="publish-report", cache_policy=NO_CACHE)
def publish_report(db: str | None, name: str, report: steps.ReportSummary) -> history.HistoryEntry:
    """Add the waves column, archive the report and publish a link artifact to it. A report
    whose estimates are those of the last archived one is not archived (or logged) again."""
    history.annotate_waves(Path(report.estimates_csv), steps.waves_step(db, name))
    out_dir = Path(report.html).resolve().parent
    same = history.unchanged_since_last(out_dir)
    if same is not None:
        get_run_logger().info("report unchanged since %s; not archived again", same.stamp)
        return same
    entry = history.archive_report(out_dir)
    steps.record_report_step(db, name, entry, report.n_ratings)
    create_link_artifact(
        link=entry.html.resolve().as_uri(),
        link_text=f"{name}: report of {entry.stamp} ({report.n_ratings} ratings)",
        key=link_key(name),
        description=f"Latest persuasion report of study {name}; history: "
        f"{(out_dir / 'index.html').resolve().as_uri()}",
    )
    return entry


@flow(name="report-study")
def report_study(study: str, out_dir: str, db: str | None = None) -> steps.ReportSummary | None:
    """Analyse a study (nightly, and whenever one of its waves closes) and keep its history.
    Before the first ratings arrive there is nothing to analyse, and while a wave on a real
    platform is open a report would be an unplanned interim look: it says so and returns
    None. One run of a study at a time (see flows.limits)."""
    with one_run_of(study):
        return _report(study, out_dir, db)


def _report(study: str, out_dir: str, db: str | None) -> steps.ReportSummary | None:
    name = steps.register_step(db, study)
    if waiting := steps.unplanned_look_step(db, name):
        get_run_logger().info("no report for %s yet: %s", name, waiting)
        return None
    if not steps.waves_step(db, name):
        get_run_logger().info("study %s has no kept ratings yet; nothing to analyse", name)
        return None
    report = analyse_study(study, out_dir, db)
    publish_report(db, name, report)
    return report
