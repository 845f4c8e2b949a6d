"""`persuasion status` and `persuasion serve` at the command line."""

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from flows import steps
from study.store import open_store
from tests.flows.small_study import write_study

runner = CliRunner()


def test_commands_have_examples() -> None:
    for command in ("serve", "status"):
        assert "Example: persuasion" in runner.invoke(app, [command, "--help"]).output


def test_status_shows_writers_waves_cost_and_next_runs(
    tmp_path: Path, sqlite_url: str, monkeypatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    result = runner.invoke(app, ["status", ref, "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "│ gen-1 │ 12 │ 0 │ 24 │" in lines
    assert "Waves: 1 open" in lines
    assert "Cost so far: $0.00" in lines
    assert any(line.startswith("Next sync-fieldwork: ") for line in lines)


def test_status_of_unknown_study_is_one_error_line(sqlite_url: str) -> None:
    open_store(sqlite_url).dispose()  # an empty store (status never creates one)
    result = runner.invoke(app, ["status", "nope", "--db", sqlite_url])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no study named 'nope' in the store")


def test_serve_empty_folder_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path}: no study files (*.toml)")


def test_run_with_unknown_runner_is_one_error_line(tmp_path: Path) -> None:
    ref = str(write_study(tmp_path))
    result = runner.invoke(app, ["run", ref, "--runner", "ray"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: task runner 'ray' is not known; choose one of: thread, dask"
    )
