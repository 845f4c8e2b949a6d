"""The study file's [follow_up] section: defaults, and one `Error:` line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from study import parse_study
from tests.followup.study_file import follow_up_toml

runner = CliRunner()


def test_follow_up_defaults_and_reward() -> None:
    study = parse_study(follow_up_toml("fu"))
    assert study.follow_up is not None
    assert (study.follow_up.after_days, study.follow_up.open_days) == (30, 7)
    assert study.follow_up.reward_minor("GBP") == 45  # 3 minutes at the recommended £9 an hour
    assert parse_study(follow_up_toml("fu").split("[follow_up]")[0]).follow_up is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "0",
            "follow_up.after_days: 0 days is outside 1 to 730: the follow-up opens this many "
            "days after its wave closed; use a whole number of days (for example 30), or "
            "remove [follow_up] for no follow-up",
        ),
        (
            '"thirty"',
            "follow_up.after_days: Input should be a valid integer, unable to parse string as an "
            "integer",
        ),
    ],
)
def test_bad_after_days_gives_one_error_line(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "fu.toml"
    path.write_text(follow_up_toml("fu").replace("after_days = 30", f"after_days = {value}"))
    result = runner.invoke(app, ["run", "--check", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {path}: {message}"]


def test_prolific_follow_up_below_minimum_pay_is_refused(tmp_path: Path) -> None:
    text = follow_up_toml("fu", extra="reward = 10\nestimated_minutes = 5").replace(
        "[participants]",
        '[recruitment]\nplatform = "prolific"\nsurvey_url = "https://s.example.org/start/fu"\n'
        "reward = 300\nestimated_minutes = 15\n\n[participants]\nreservation_minutes = 60",
    )
    path = tmp_path / "fu.toml"
    path.write_text(text)
    result = runner.invoke(app, ["run", "--check", str(path)])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}: follow_up.reward = 10 (£0.10 for 5 minutes")
    assert "set follow_up.reward to at least 50" in line


def test_serve_gets_a_follow_up_deployment_only_with_follow_up(tmp_path: Path) -> None:
    from flows.deployments import folder_deployments

    (tmp_path / "fu.toml").write_text(follow_up_toml("fu"))
    (tmp_path / "plain.toml").write_text(follow_up_toml("plain").split("[follow_up]")[0])
    deps = [d for d in folder_deployments(tmp_path, "sqlite:///x.db") if d.flow_name == "follow-up"]
    assert [(d.name, d.parameters["study"]) for d in deps] == [
        ("fu", str((tmp_path / "fu.toml").resolve()))
    ]
    assert deps[0].schedules[0].schedule.cron == "*/5 * * * *"
    assert "study:fu" in deps[0].tags


def test_the_follow_up_and_format_contrasts_are_registered_only_when_used() -> None:
    from analysis import registration_document
    from analysis.preregistration import registration_markdown
    from claims import load_claim_set

    claims = load_claim_set("default")
    plain = parse_study(follow_up_toml("fu").split("[follow_up]")[0])
    assert "follow_up" not in registration_document(plain, claims)
    assert "format_contrasts" not in registration_document(plain, claims)
    doc = registration_document(parse_study(follow_up_toml("fu")), claims)
    assert doc["follow_up"]["after_days"] == 30
    assert "bootstrap over participants" in doc["follow_up"]["interval"]
    text = registration_markdown(doc, "x")
    assert "## Follow-up\n\nParticipants are asked again 30 days after their wave closed" in text


def test_a_conversation_study_registers_its_format_contrast() -> None:
    from importlib import resources

    from analysis import registration_document
    from claims import load_claim_set

    text = (resources.files("study") / "data" / "conversation.toml").read_text()
    study = parse_study(text.replace('"NAME"', '"convo"'))
    doc = registration_document(study, load_claim_set("default"))
    assert doc["format_contrasts"]["contrasts"] == ["compact-chat vs compact-static"]
