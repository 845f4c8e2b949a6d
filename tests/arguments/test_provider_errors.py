"""Every provider error reaches the user as one `Error:` line naming the cause and the fix,
before the run (token counts) and during it, with nothing stored lost."""

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.arguments.spending_support import arguments, billed_usd, spent
from tests.support.anthropic_api import paid_twice
from tests.support.anthropic_standin import Fault, StandIn

runner = CliRunner()
MakeStudy = Callable[..., Path]


def generate(study: Path, db: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["generate", str(study), "--db", str(db)])
    return result.exit_code, result.output.strip().splitlines()


def test_a_rejected_key_before_the_run_is_one_line(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.api_key = "the-right-key"
    code, lines = generate(make_study(topics=1), tmp_path / "k.db")
    assert code == 1
    assert lines == [
        f"Error: HTTP 401 from {standin.url} (authentication_error: invalid x-api-key); "
        "check ANTHROPIC_API_KEY (the API rejected the key)"
    ]
    assert standin.stats.messages == 0


def test_an_unknown_model_is_one_line(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.models = frozenset({"claude-haiku-5-5"})
    code, lines = generate(make_study(topics=1), tmp_path / "m.db")
    assert code == 1
    assert lines == [
        f"Error: model 'claude-sonnet-5-5': HTTP 404 from {standin.url} (not_found_error: "
        "model: claude-sonnet-5-5); check the writer's model id in the study file, and "
        "ANTHROPIC_BASE_URL if it is set"
    ]
    assert standin.stats.messages == 0


def test_nothing_listening_is_one_line(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    code, lines = generate(make_study(topics=1), tmp_path / "n.db")
    assert code == 1
    assert lines == [
        "Error: cannot reach the model API at http://127.0.0.1:9 (ConnectError: All connection "
        "attempts failed); check the network, and ANTHROPIC_BASE_URL if it is set"
    ]


@pytest.mark.parametrize("url", ["127.0.0.1:9", "ftp://example.org", "http://"])
def test_a_malformed_base_url_is_one_line(
    standin: StandIn,
    make_study: MakeStudy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
    code, lines = generate(make_study(topics=1), tmp_path / "u.db")
    assert code == 1
    assert lines == [
        f"Error: ANTHROPIC_BASE_URL {url!r} is not an http(s) URL; set it like "
        "https://api.anthropic.com (or unset it to use the Anthropic API)"
    ]


def test_a_key_revoked_during_the_run_stops_it_keeping_what_was_stored(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.faults = (Fault(401, every=12),)
    study, db = make_study(topics=2), tmp_path / "r.db"
    code, lines = generate(study, db)
    assert code == 1
    assert lines[-1] == (
        f"Error: HTTP 401 from {standin.url} (authentication_error: stand-in 401); "
        "check ANTHROPIC_API_KEY (the API rejected the key)"
    )
    assert any(line.startswith("Generated ") for line in lines[:-1])  # the summary first
    kept = len(arguments(str(db)))
    assert 0 < kept < 32
    # No new work once the 401 is seen: the in-flight window finishes, plus at most one more
    # window started while the 401 was on its way back (a race on a loaded machine). A run
    # that did not stop would send all 32.
    assert standin.stats.messages <= 12 + 2 * 8 < 32
    standin.behaviour.faults = ()
    code, lines = generate(study, db)
    assert code == 0, lines
    assert len(arguments(str(db))) == 32
    assert paid_twice(standin.stats.billed) == 0
    assert spent(str(db)).total_usd == pytest.approx(billed_usd(standin.stats.billed))
