"""`persuasion run STUDY.toml --check` is the full preflight: it reports each mistake that would
make a run fail later with one line, all of them at once, without the network or any spend."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.flows.small_study import write_study

runner = CliRunner()
PROLIFIC = """
[recruitment]
platform = "prolific"
survey_url = "https://survey.example.org/s"
"""
MISTAKES = {
    "unknown model": (
        ('model = "offline/gen-1"', 'model = "anthropic/claude-9-ultra"'),
        "writer 'gen-1': unknown model 'anthropic/claude-9-ultra' (writer 'gen-1'); known "
        "anthropic models: ",
    ),
    "unknown provider": (
        ('model = "offline/gen-2"', 'model = "openai/gpt-4o"'),
        "writer 'gen-2': unknown model 'openai/gpt-4o'; write it as provider/model with "
        "provider one of: anthropic, offline, replay",
    ),
    "mistyped strategy": (
        ('strategies = ["compelling_case"]', 'strategies = ["compeling_case"]'),
        "writer 'gen-1': unknown strategy 'compeling_case'; known strategies: ",
    ),
    "bad cron": (
        ("[analysis]", '[schedules]\nanalysis = "0 25 * * *"\n\n[analysis]'),
        "schedules.analysis = '0 25 * * *' is not a valid cron expression (minute 0-59, hour "
        '0-23, day 1-31, month 1-12, weekday 0-6), e.g. "0 3 * * *"',
    ),
    "missing Prolific token": (
        ("[analysis]", PROLIFIC + "\n[analysis]"),
        "the Prolific API token is missing: set the environment variable PROLIFIC_API_TOKEN",
    ),
    "missing Anthropic key": (
        ('model = "offline/gen-2"', 'model = "anthropic/claude-sonnet-5"'),
        "writer 'gen-2': ANTHROPIC_API_KEY is not set",
    ),
}


def study_with(folder: Path, *changes: tuple[str, str]) -> str:
    path = write_study(folder)
    text = path.read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)
    return str(path)


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("PROLIFIC_API_TOKEN", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # never the real API


@pytest.mark.parametrize("mistake", MISTAKES, ids=str)
def test_each_mistake_is_one_line_and_exit_1(mistake: str, tmp_path: Path) -> None:
    change, line = MISTAKES[mistake]
    study = study_with(tmp_path, change)
    result = runner.invoke(app, ["run", study, "--check", "--db", str(tmp_path / "s.db")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {line}"), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "s.db").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    changes = [c for name, (c, _) in MISTAKES.items() if name != "missing Anthropic key"]
    study = study_with(tmp_path, *changes, ('"small.yaml"', '"missing.yaml"'))
    result = runner.invoke(app, ["run", study, "--check", "--db", "sqlite:/x.db"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 8, result.output
    assert lines[0].startswith("missing.yaml") or "missing.yaml" in lines[0]
    expected = [line for name, (_, line) in MISTAKES.items() if name != "missing Anthropic key"]
    for got, want in zip(lines[1:6], expected, strict=True):
        assert got.startswith(want), (got, want)
    assert lines[6].startswith("store URL 'sqlite:/x.db' is malformed")
    assert lines[7] == (
        f"Error: {study}: 7 problems above; fix them and check again with "
        f"`persuasion run {study} --check`"
    )


def test_a_good_study_says_what_was_checked(tmp_path: Path) -> None:
    study = study_with(tmp_path)
    result = runner.invoke(app, ["run", study, "--check", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"{study}: ok: 3 writers, 14 claims (small, sha256 "
        f"{result.output.split('sha256 ')[1][:12]}); models, keys, strategies, schedules, "
        "platform and store checked"
    )
    assert not (tmp_path / "s.db").exists()
