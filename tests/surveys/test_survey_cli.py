"""`persuasion survey export`: a thin shell over fieldwork.dashboard, with pinned output."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from study.store import Store
from tests.surveys.conftest import field_study


def test_export_writes_csv_without_platform_ids(store: Store, tmp_path: Path) -> None:
    field_study(store)
    out = tmp_path / "ratings.csv"
    result = CliRunner().invoke(app, ["survey", "export", "survey-test", "--out", str(out),
                                      "--db", store.url])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 0 ratings to {out}\n"
    assert out.read_text().startswith("wave,participant,session,position,claim,")


def test_export_of_unknown_study_is_one_clean_error(store: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["survey", "export", "nope", "--out", str(tmp_path / "x.csv"), "--db", store.url]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: no study named 'nope' in the store")


def test_every_survey_command_has_an_example() -> None:
    for command in ("serve", "export"):
        result = CliRunner().invoke(app, ["survey", command, "--help"])
        assert "Example: persuasion survey " + command in result.output
