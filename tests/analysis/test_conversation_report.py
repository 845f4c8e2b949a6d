"""The conversation template end to end (offline generation, the simulated panel, the
report): the Findings compare the conversation and static arms of its one model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from analysis.tables import fmt
from cli.main import app
from flows import steps


def test_conversation_template_report_compares_the_formats(tmp_path: Path) -> None:
    assert (
        CliRunner()
        .invoke(app, ["init", "convo", "--template", "conversation", "--dir", str(tmp_path)])
        .exit_code
        == 0
    )
    db, ref = f"sqlite:///{tmp_path / 'store.db'}", str(tmp_path / "convo.toml")
    steps.generate_step(db, ref)
    steps.open_step(db, ref)
    steps.panel_step(db, ref)
    assert steps.sync_step(db, ref).status == "closed"
    steps.analyse_step(db, "convo", tmp_path / "out")
    [row] = pd.read_csv(tmp_path / "out" / "format_contrasts.csv").to_dict("records")
    assert (row["writer"], row["static_writer"]) == ("compact-chat", "compact-static")
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "### Conversations" in summary
    assert (
        f"- compact-chat (conversation) vs compact-static (static), both {row['model']}: "
        f"{fmt(row['estimate'])} scale points [95% CI {fmt(row['ci_low'])}, "
        f"{fmt(row['ci_high'])}] (ANCOVA, clustered SEs; {row['n_conversation']} and "
        f"{row['n_static']} ratings)"
    ) in summary
    estimates = pd.read_csv(tmp_path / "out" / "estimates.csv")
    assert {"compact-chat", "compact-static"} <= set(estimates["writer"])
