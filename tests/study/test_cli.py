from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from study.store import open_store

runner = CliRunner()


def test_help_lists_every_command_with_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("init", "run", "demo", "analyze", "claims"):
        assert name in result.output
    for command in (["init"], ["run"], ["demo"], ["analyze"], ["claims", "validate"]):
        sub = runner.invoke(app, [*command, "--help"])
        assert "Example: persuasion" in sub.output, command


def test_broken_claim_file_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,topic,stance,kind,text\nx,t,support,rumour,Text.\n")
    result = runner.invoke(app, ["claims", "validate", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{path}:2: unknown kind 'rumour'; allowed: opinion, control"
    ]


def test_validate_bundled_set() -> None:
    result = runner.invoke(app, ["claims", "validate", "default"])
    assert result.exit_code == 0
    assert ": ok: " in result.output


def test_broken_study_file_gives_error_line_not_traceback(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "s1", "--dir", str(tmp_path)]).exit_code == 0
    path = tmp_path / "s1.toml"
    path.write_text(path.read_text().replace("per_argument = 3", "per_argument = 0"))
    result = runner.invoke(app, ["run", "--check", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {path}: participants.per_argument: Input should be greater than or equal to 1"
    )
    assert "Traceback" not in result.output


def test_analyze_unknown_study_names_the_fix(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    open_store(db).dispose()  # an empty store (analyze never creates one)
    result = runner.invoke(app, ["analyze", "nope", "--out", str(tmp_path), "--db", db])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: no study named 'nope' in the store {db} (the store has no studies yet); "
        "register one with `persuasion run STUDY.toml` or import data first"
    )
