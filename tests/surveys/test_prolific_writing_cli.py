"""`persuasion field open STUDY --writing`, `field status`, `field prize` against the Prolific
stand-in: the writing study's preflight shows its cost and waits for a yes."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from study import load_and_register
from study.store import open_store
from tests.support.field_data import CLAIMS
from tests.support.prolific_standin import ProlificStandin, prolific_standin
from tests.support.survey_site import Site, survey_site
from tests.surveys.test_prolific_writing import STUDY

runner = CliRunner()


@pytest.fixture
def site() -> Iterator[Site]:
    with survey_site() as s:
        yield s


@pytest.fixture
def study(tmp_path: Path, site: Site) -> str:
    (tmp_path / "tiny.yaml").write_text(CLAIMS)
    path = tmp_path / "penned.toml"
    path.write_text(STUDY + f'survey_url = "{site.url}"\n')
    return str(path)


@pytest.fixture
def db(tmp_path: Path, study: str) -> str:
    url = f"sqlite:///{tmp_path / 'field.db'}"
    with open_store(url) as store:
        load_and_register(store, study)
    return url


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProlificStandin]:
    with prolific_standin(token="sekret") as s:
        monkeypatch.setenv("PROLIFIC_API_TOKEN", "sekret")
        monkeypatch.setenv("PROLIFIC_API_URL", s.url)
        yield s


def test_open_writing_shows_the_cost_and_waits(
    study: str, db: str, standin: ProlificStandin, site: Site
) -> None:
    result = runner.invoke(app, ["field", "open", study, "--writing", "--db", db], input="n\n")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Preflight: writing study of penned on prolific"
    assert "  cost: £20.00 rewards + £6.00 pay + £20.00 prize + £15.32 fees" in lines[4]
    assert lines[-2:] == [
        "Publish 4 writing places on prolific? [y/N]: n",
        "Error: not confirmed, nothing was published; answer y, or pass --yes",
    ]
    assert f"  writing address: {site.url} answers" in lines
    assert standin.state.studies == {}
    result = runner.invoke(app, ["field", "open", study, "--writing", "--yes", "--db", db])
    assert result.exit_code == 0, result.output
    (ref,) = standin.state.studies
    assert result.output.splitlines()[-1] == (
        f"penned: writing wave 1 open ({ref}), 4 places; tasks: 4 open; texts: none"
    )
    again = runner.invoke(app, ["field", "open", study, "--writing", "--db", db])
    assert again.exit_code == 0 and "Preflight" not in again.output  # open already: no question
    assert len(standin.state.studies) == 1
    status = runner.invoke(app, ["field", "status", study, "--db", db])
    assert status.output.splitlines()[0].startswith("penned: writing wave 1 open")


def test_the_prize_before_any_rating_is_one_error_line(
    study: str, db: str, standin: ProlificStandin
) -> None:
    result = runner.invoke(app, ["field", "prize", study, "--yes", "--db", db])
    assert (result.exit_code, result.output.strip()) == (
        1,
        "Error: study 'penned' has no kept ratings of human arguments yet; the prize is chosen "
        "from the ratings: run the rating waves first",
    )


def test_a_writing_wave_on_a_link_study_names_the_invitations(
    tmp_path: Path, standin: ProlificStandin
) -> None:
    (tmp_path / "tiny.yaml").write_text(CLAIMS)
    path = tmp_path / "linked.toml"
    path.write_text(
        STUDY.replace('name = "penned"', 'name = "linked"').replace(
            'platform = "prolific"', 'platform = "link"'
        )
    )
    result = runner.invoke(
        app, ["field", "open", str(path), "--writing", "--db", str(tmp_path / "l.db")]
    )
    assert result.output.strip().startswith("Error: no store at")
    with open_store(str(tmp_path / "l.db")) as store:
        load_and_register(store, str(path))
    result = runner.invoke(
        app, ["field", "open", str(path), "--writing", "--db", str(tmp_path / "l.db")]
    )
    assert (result.exit_code, result.output.strip()) == (
        1,
        "Error: a writing wave recruits writers on Prolific; study 'linked' recruits on 'link': "
        "hand writers invitation links instead (`persuasion survey invites linked --count N "
        "--base https://HOST`)",
    )
