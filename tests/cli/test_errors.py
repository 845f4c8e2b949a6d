"""The edge of the command line: project errors and OS errors become one `Error:` line and
exit 1; anything else is a bug and keeps its traceback."""

import pytest
import typer
from typer.testing import CliRunner

from cli.errors import clean_errors
from common import UnknownName, UsageError
from fieldwork.platforms import PlatformError
from study.store import StoreError

runner = CliRunner()


def app_raising(exc: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @clean_errors
    def go() -> None:
        raise exc

    return app


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (UsageError("--power 2 must be between 0 and 1, e.g. 0.8"), "Error: --power 2 must be"),
        (UnknownName("no writer 'x' in study 's'"), "Error: no writer 'x' in study 's'"),
        (PlatformError("Prolific refused the token"), "Error: Prolific refused the token"),
        (StoreError("cannot open the store at x.db"), "Error: cannot open the store at x.db"),
        (
            FileNotFoundError(2, "No such file or directory", "/nope/study.toml"),
            "Error: /nope/study.toml: No such file or directory; check the path",
        ),
    ],
)
def test_project_and_environment_errors_are_one_line(exc: BaseException, line: str) -> None:
    result = runner.invoke(app_raising(exc), [])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(line), result.output


@pytest.mark.parametrize("exc", [ValueError("bug"), KeyError("x"), TypeError("bug")])
def test_a_bug_keeps_its_traceback(exc: BaseException) -> None:
    result = runner.invoke(app_raising(exc), [])
    assert result.exit_code == 1
    assert "Error:" not in result.output
    assert isinstance(result.exception, type(exc))
