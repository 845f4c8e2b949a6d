"""`persuasion field open|sync|close|status` against Prolific's loopback stand-in."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from study.store import open_store
from study.store.repo import current_wave
from tests.support.field_data import add_session, argument_ids, tiny_study
from tests.support.prolific_standin import ProlificStandin, prolific_standin

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'field.db'}"
    with open_store(url) as store:
        tiny_study(store, tmp_path)
    return url


@pytest.fixture
def study(tmp_path: Path, db: str) -> str:
    """The study file (a stored study whose claim file is relative is found by its file)."""
    return str(tmp_path / "tiny.toml")


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProlificStandin]:
    with prolific_standin(token="sekret") as s:
        monkeypatch.setenv("PROLIFIC_API_TOKEN", "sekret")
        monkeypatch.setenv("PROLIFIC_API_URL", s.url)
        yield s


def field(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["field", *args])
    return result.exit_code, result.output.strip()


def test_every_field_command_has_an_example() -> None:
    for command in ("open", "sync", "close", "status"):
        assert (
            "Example: persuasion field " in runner.invoke(app, ["field", command, "--help"]).output
        )


def test_open_sync_status_close(study: str, db: str, standin: ProlificStandin) -> None:
    code, out = field("open", study, "--db", db)
    (ref,) = standin.state.studies
    assert (code, out) == (
        0,
        f"tiny: wave 1 open on prolific ({ref}); 0 of 4 arguments have 2 ratings; 0 ratings in all",
    )
    standin.add_submission(ref, submission_id="nosession")
    code, out = field("sync", study, "--db", db)
    assert code == 0
    assert out.endswith("0 ratings in all; 0 reservations released")
    assert standin.submission("nosession")["return_requested"]
    code, out = field("status", study, "--db", db)
    assert code == 0 and "wave 1 open on prolific" in out
    code, out = field("close", study, "--db", db)
    assert (code, out) == (
        1,
        "Error: wave 1 of study 'tiny' is not complete: 0 of 4 arguments have 2 ratings; keep "
        "syncing (`persuasion field sync tiny`) or close it anyway with --force",
    )
    code, out = field("close", study, "--force", "--db", db)
    assert code == 0 and "wave 1 closed" in out
    assert standin.state.studies[ref]["status"] == "COMPLETED"


def test_missing_token_is_one_error_line(
    study: str, db: str, standin: ProlificStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROLIFIC_API_TOKEN")
    assert field("open", study, "--db", db) == (
        1,
        "Error: the Prolific API token is missing: set the environment variable "
        "PROLIFIC_API_TOKEN (create a token in Prolific under Settings > API tokens)",
    )
    assert standin.requests == []


def test_refused_token_is_one_error_line(
    study: str, db: str, standin: ProlificStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROLIFIC_API_TOKEN", "stale")
    code, out = field("open", study, "--db", db)
    assert code == 1
    assert out.startswith("Error: Prolific refused to create the study (HTTP 401): Invalid token.")
    assert "Traceback" not in out


def test_unknown_study_names_the_fix(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert field("status", "nope", "--db", db) == (
        1,
        "Error: no study named 'nope' in the store (the store has no studies yet); register "
        "one with `persuasion run STUDY.toml` or import data first",
    )


def test_sync_prints_one_line_per_refused_submission(
    study: str, db: str, standin: ProlificStandin
) -> None:
    assert field("open", study, "--db", db)[0] == 0
    (ref,) = standin.state.studies
    with open_store(db) as store:
        with store.session() as session:
            wave = current_wave(session, 1)
            assert wave is not None
            wave_id = wave.id
        sub = standin.add_submission(ref, submission_id="s1")
        add_session(store, 1, wave_id, argument_ids(store, 1)[:2], platform_session=sub)
    standin.fail_next(400, path="/submissions/s1/transition/")
    code, out = field("sync", study, "--db", db)
    assert code == 0
    assert out.splitlines()[-1] == (
        "Problem: submission s1: Prolific refused to approve submission s1 (HTTP 400): the "
        "stand-in was told to fail"
    )
    assert field("sync", study, "--db", db)[0] == 0  # the next sync approves it
    assert standin.submission("s1")["status"] == "APPROVED"
