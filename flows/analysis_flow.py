"""The analysis flow: estimates, figures and report, published as Prefect artifacts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows import steps

analyse_task = task(name="analyse", cache_policy=NO_CACHE)(steps.analyse_step)


def summary_markdown(name: str, report: steps.ReportSummary) -> str:
    """A Markdown summary of the estimates, for the Prefect UI."""
    estimates = pd.read_csv(report.estimates_csv)
    lines = [
        f"# Persuasion report: {name}",
        "",
        f"{report.n_ratings} ratings. Report: `{report.html}`",
        "",
        "| writer | ratings | mean persuasion | 95% CI |",
        "| --- | ---: | ---: | --- |",
    ]
    for row in estimates.itertuples():
        lines.append(
            f"| {row.writer} | {row.n_ratings} | {row.mean_persuasion:.3f} | "
            f"[{row.ci_low:.3f}, {row.ci_high:.3f}] |"
        )
    return "\n".join(lines)


@flow(name="analyse-study")
def analyse_study(study: str, out_dir: str, db: str | None = None) -> steps.ReportSummary:
    """Analyse a stored study and publish its summary as a Markdown artifact."""
    name = steps.register_step(db, study)
    report = analyse_task(db, name, Path(out_dir))
    create_markdown_artifact(
        markdown=summary_markdown(name, report),
        key=f"report-{name}".lower().replace("_", "-").replace(".", "-"),
        description=f"Persuasion estimates of study {name}",
    )
    return report
