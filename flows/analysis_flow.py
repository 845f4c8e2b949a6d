"""The analysis flow: the whole analysis plan, figures and report, with the report's Markdown
summary published as a Prefect artifact."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import steps
from flows.artifacts import artifact_key

analyse_task = task(name="analyse", cache_policy=NO_CACHE)(steps.analyse_step)


@flow(name="analyse-study")
def analyse_study(
    study: str, out_dir: str, db: str | None = None, incomplete: str = ""
) -> steps.ReportSummary:
    """Analyse a stored study (or a study file) and publish its summary as a Markdown
    artifact. A non-empty `incomplete` (what fieldwork still lacks) heads the report."""
    name = steps.resolve_study_step(db, study)
    report = analyse_task(db, name, Path(out_dir), incomplete)
    summary = Path(report.summary_md).read_text(encoding="utf-8")
    create_markdown_artifact(
        markdown=summary + f"\nReport: `{report.html}`\n",
        key=artifact_key("report", name),
        description=f"Persuasion estimates of study {name}",
    )
    estimates = pd.read_csv(report.estimates_csv).round(4)
    create_table_artifact(
        table=estimates.to_dict("records"),
        key=artifact_key("report", name) + "-estimates",
        description=f"Mean persuasion per writer (95% bootstrap CIs), study {name}",
    )
    return report
