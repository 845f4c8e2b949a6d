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
from tests.support.survey_site import Site, survey_site

runner = CliRunner()


@pytest.fixture
def site() -> Iterator[Site]:
    with survey_site() as s:
        yield s


@pytest.fixture
def db(tmp_path: Path, site: Site) -> str:
    url = f"sqlite:///{tmp_path / 'field.db'}"
    with open_store(url) as store:
        tiny_study(store, tmp_path, survey_url=site.url)
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
    for command in ("open", "sync", "close", "status", "bonuses"):
        assert (
            "Example: persuasion field " in runner.invoke(app, ["field", command, "--help"]).output
        )


def test_open_sync_status_close(study: str, db: str, standin: ProlificStandin) -> None:
    code, out = field("open", study, "--yes", "--db", db)
    (ref,) = standin.state.studies
    assert (code, out.splitlines()[-1]) == (
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
    # stopped; the submission asked to return still awaits review on Prolific
    assert standin.calls("POST", "/transition/")[-1].body == {"action": "STOP"}
    assert standin.state.studies[ref]["status"] == "AWAITING REVIEW"


def test_missing_token_is_one_error_line(
    study: str, db: str, standin: ProlificStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROLIFIC_API_TOKEN")
    code, out = field("open", study, "--yes", "--db", db)
    assert (code, out.splitlines()[-1]) == (
        1,
        "Error: the Prolific API token is missing: set the environment variable "
        "PROLIFIC_API_TOKEN (create a token in Prolific under Settings > API tokens)",
    )
    assert standin.requests == []


def test_refused_token_is_one_error_line(
    study: str, db: str, standin: ProlificStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROLIFIC_API_TOKEN", "stale")
    code, out = field("open", study, "--yes", "--db", db)
    assert code == 1
    assert out.splitlines()[-1].startswith(
        "Error: Prolific refused to list the workspace's studies (HTTP 401): Invalid token."
    )
    assert "Traceback" not in out


def test_unknown_study_names_the_fix(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(db).dispose()  # an empty store (field commands never create one)
    assert field("status", "nope", "--db", db) == (
        1,
        f"Error: no study named 'nope' in the store {db} (the store has no studies yet); "
        "register one with `persuasion run STUDY.toml` or import data first",
    )


def test_sync_prints_one_line_per_refused_submission(
    study: str, db: str, standin: ProlificStandin
) -> None:
    assert field("open", study, "--yes", "--db", db)[0] == 0
    (ref,) = standin.state.studies
    with open_store(db) as store:
        with store.session() as session:
            wave = current_wave(session, 1)
            assert wave is not None
            wave_id = wave.id
        sub = standin.add_submission(ref, submission_id="s1")
        add_session(store, 1, wave_id, argument_ids(store, 1)[:2], platform_session=sub)
    standin.fail_next(400, path="/submissions/bulk-approve/")
    code, out = field("sync", study, "--db", db)
    assert code == 0
    assert out.splitlines()[-1] == (
        "Problem: approving 1 submissions: Prolific refused to approve 1 submissions (HTTP "
        "400): the stand-in was told to fail"
    )
    assert field("sync", study, "--db", db)[0] == 0  # the next sync approves it
    assert standin.submission("s1")["status"] == "APPROVED"


def test_open_shows_the_preflight_and_waits_for_confirmation(
    study: str, db: str, standin: ProlificStandin, site: Site
) -> None:
    result = runner.invoke(app, ["field", "open", study, "--db", db], input="n\n")
    assert result.exit_code == 1
    assert result.output.splitlines()[:9] == [
        "Preflight: study tiny on prolific",
        "  places: 4",
        "  reward: £2.50 per participant for 12 minutes (£12.50 an hour; Prolific's minimum "
        "£6.00, recommended £9.00)",
        "  cost: £10.00 rewards + £3.33 fees (estimate at 33.3%) = £13.33 total",
        "  time limit: 60 minutes (participants.reservation_minutes, sent as the platform's "
        "maximum time)",
        "  filters: none (everyone on the platform may take part)",
        "  arguments shown: 4 (human 4)",
        f"  survey: {site.url} answers",
        "Publish 4 places on prolific? [y/N]: n",
    ]
    assert result.output.splitlines()[-1] == (
        "Error: not confirmed, nothing was published; answer y, or pass --yes"
    )
    assert standin.state.studies == {}
    assert site.seen == ["HEAD"]
    result = runner.invoke(app, ["field", "open", study, "--db", db], input="y\n")
    assert result.exit_code == 0
    assert len(standin.state.studies) == 1


def test_open_refuses_placeholders_with_one_error_line(
    study: str, db: str, standin: ProlificStandin
) -> None:
    from study.store import ArgumentRow

    with open_store(db) as store, store.session() as session:
        ids = [a.id for a in session.query(ArgumentRow).order_by(ArgumentRow.id).all()[:2]]
        for row in session.query(ArgumentRow).filter(ArgumentRow.id.in_(ids)):
            row.placeholder = True
    code, out = field("open", study, "--yes", "--db", db)
    assert code == 1
    assert out.splitlines()[-1] == (
        f"Error: 2 arguments to be shown are offline placeholders (ids {ids[0]}, {ids[1]}); "
        'write them with a real model (a writer\'s model = "anthropic/…", then `persuasion '
        "generate STUDY.toml`) before fielding; 2 human writer slots have no reviewed argument "
        "(a-support by human #1, a-oppose by human #1); collect the human arguments first (a "
        "writing wave: `persuasion field open tiny --writing`, then review the texts with "
        "`persuasion arguments review tiny`; or `persuasion arguments import`), or pass "
        "--allow-missing-humans (the report then says so)"
    )
    assert standin.requests == []


def test_open_refuses_an_unreachable_survey(
    study: str, db: str, standin: ProlificStandin, site: Site
) -> None:
    site.status = 502
    code, out = field("open", study, "--yes", "--db", db)
    assert code == 1
    assert out.splitlines()[-1] == (
        f"Error: the survey address {site.url} answered HTTP 502; serve the survey app there "
        "behind HTTPS (`persuasion survey serve`) or fix recruitment.survey_url"
    )
    assert standin.requests == []


def test_bonuses_are_listed_then_paid_once(study: str, db: str, standin: ProlificStandin) -> None:
    assert field("open", study, "--yes", "--db", db)[0] == 0
    (ref,) = standin.state.studies
    with open_store(db) as store:
        with store.session() as session:
            wave = current_wave(session, 1)
            assert wave is not None
            wave_id = wave.id
        sub = standin.add_submission(ref, submission_id="late1", status="TIMED-OUT")
        add_session(store, 1, wave_id, argument_ids(store, 1)[:2], platform_session=sub)
    assert field("sync", study, "--db", db)[0] == 0
    result = runner.invoke(app, ["field", "bonuses", study, "--db", db], input="n\n")
    assert (result.exit_code, result.output.splitlines()[:4]) == (
        1,
        [
            "Bonuses to pay:",
            "  late1: £2.50 (finished after the platform's time limit)",
            "  total: £2.50 before the platform's fees",
            "Pay these bonuses? [y/N]: n",
        ],
    )
    assert standin.state.paid == []
    assert field("bonuses", study, "--yes", "--db", db)[1].endswith("tiny: 1 bonuses paid")
    assert field("bonuses", study, "--yes", "--db", db) == (0, "tiny: 0 bonuses paid")
    assert [(s, a) for s, _, a in standin.state.paid] == [("late1", 250)]
