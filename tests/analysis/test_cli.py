"""The analysis commands through the real command line, on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_import_analyze_export(tmp_path: Path, synthetic_csv: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out = runner.invoke(
        app, ["import", "anthropic", str(synthetic_csv), "--study", "syn", "--db", db]
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Imported 210 ratings of 210 participants on 4 claims")
    report = tmp_path / "report"
    out = runner.invoke(app, ["analyze", "syn", "--out", str(report)], env={"PERSUASION_DB": db})
    assert out.exit_code == 0, out.output
    estimates = pd.read_csv(report / "estimates.csv")
    raw = pd.read_csv(synthetic_csv, keep_default_na=False)
    human = raw.loc[raw["source"] == "Human", "persuasiveness_metric"].mean()
    assert estimates.set_index("writer").loc["human", "mean_persuasion"] == human
    assert "SIMULATED DATA" not in (report / "report.html").read_text()
    out = runner.invoke(app, ["export", "syn", "--out", str(tmp_path / "r.csv"), "--db", db])
    assert out.exit_code == 0
    assert len(pd.read_csv(tmp_path / "r.csv")) == len(raw)


def test_import_of_a_broken_file_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("worker_id,claim\nA,B\n")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out = runner.invoke(app, ["import", "anthropic", str(path), "--study", "x", "--db", db])
    assert out.exit_code == 1
    assert out.output.strip() == (
        f"Error: {path}: missing column(s) argument, source, prompt_type, rating_initial, "
        "rating_final, persuasiveness_metric; the file has worker_id, claim; expected "
        "worker_id, claim, argument, source, prompt_type, rating_initial, rating_final, "
        "persuasiveness_metric"
    )


def test_plan_prints_the_smallest_design(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "p1", "--dir", str(tmp_path)]).exit_code == 0
    out = runner.invoke(
        app,
        ["plan", str(tmp_path / "p1.toml"), "--claims", "5,80", "--raters", "3", "--reps", "200"],
    )
    assert out.exit_code == 0, out.output
    assert "Smallest design reaching power 0.8: 80 claims x 3 raters per argument" in out.output
    assert "design of the primary ANCOVA with claim-clustered SEs); the claim set has" in (
        out.output.replace("\n", " ")
    )


def test_plan_rejects_a_bad_list(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "p2", "--dir", str(tmp_path)]).exit_code == 0
    out = runner.invoke(app, ["plan", str(tmp_path / "p2.toml"), "--claims", "ten"])
    assert out.exit_code == 1
    assert out.output.strip() == (
        "Error: --claims 'ten' is not a comma-separated list of whole numbers, e.g. 10,20,40"
    )


def test_every_analysis_command_has_an_example() -> None:
    for command in (["analyze"], ["export"], ["plan"], ["import"], ["import", "anthropic"]):
        out = runner.invoke(app, [*command, "--help"])
        assert "Example: persuasion" in out.output, command
