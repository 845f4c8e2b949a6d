"""The conversation format in the study file: limits, strategies of the right format, the
init template, and the slots and worst-case cost that generation plans."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from arguments import generate_all, strategies_for
from arguments.errors import BudgetExceeded, GenerationError
from claims import load_claim_set
from cli.main import app
from study import ConversationLimits, StudyFileError, parse_study
from study.store import ArgumentRow, Store
from study.store.repo import register_study
from tests.conversations.conftest import chat_study_text


def test_unknown_format_and_bad_limits_are_one_line_each() -> None:
    text = chat_study_text().replace('format = "conversation"', 'format = "chat"')
    with pytest.raises(StudyFileError) as err:
        parse_study(text, "s.toml")
    assert str(err.value) == (
        "s.toml: writers[1].format: 'chat' is not allowed; allowed: 'static' or 'conversation'"
    )
    text = chat_study_text().replace("min_turns = 2", "min_turns = 4")
    with pytest.raises(StudyFileError) as err:
        parse_study(text, "s.toml")
    assert str(err.value) == (
        "s.toml: writers[1].conversation: min_turns (4) is above max_turns (3); lower "
        "min_turns or raise max_turns"
    )
    text = chat_study_text().replace("max_reply_tokens = 120", "max_reply_tokens = 0")
    with pytest.raises(StudyFileError, match=r"max_reply_tokens: Input should be greater"):
        parse_study(text, "s.toml")
    text = chat_study_text().replace('writer = "essay"', 'writer = "chat"')
    with pytest.raises(StudyFileError, match=r"control\.writer = 'chat' is a conversation writer"):
        parse_study(text, "s.toml")


def test_a_writer_names_strategies_of_its_own_format() -> None:
    text = chat_study_text().replace('["chat_persuade"]', '["compelling_case"]')
    with pytest.raises(GenerationError) as err:
        strategies_for(parse_study(text))
    assert str(err.value) == (
        "writer 'chat' (conversation) names the static strategy 'compelling_case'; "
        "conversation strategies: chat_debate, chat_information, chat_persuade"
    )
    known = strategies_for(parse_study(chat_study_text()))
    assert {n for n, s in known.items() if s.format == "conversation"} == {
        "chat_debate",
        "chat_information",
        "chat_persuade",
    }


def test_run_check_refuses_a_bad_format_with_one_error_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["init", "convo", "--template", "conversation", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "convo.toml"
    ok = runner.invoke(app, ["run", "--check", str(path), "--db", f"sqlite:///{tmp_path}/s.db"])
    assert ok.exit_code == 0, ok.output
    path.write_text(path.read_text().replace('format = "conversation"', 'format = "dialogue"'))
    bad = runner.invoke(app, ["run", "--check", str(path), "--db", f"sqlite:///{tmp_path}/s.db"])
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines() == [
        f"Error: {path}: writers[1].format: 'dialogue' is not allowed; allowed: 'static' or "
        "'conversation'"
    ]
    unknown = runner.invoke(app, ["init", "x", "--template", "nope", "--dir", str(tmp_path)])
    assert unknown.exit_code == 1
    assert "Error: unknown template 'nope'; choose one of: conversation, example" in unknown.output


def test_generation_stores_slots_and_budgets_every_conversation_at_its_worst(store: Store) -> None:
    text = chat_study_text(model="anthropic/claude-haiku-4-5")
    study = parse_study(text)
    with store.session() as session:
        study_id = register_study(session, study, text, load_claim_set("default")).id
    limits = study.writer("chat").limits
    assert limits == ConversationLimits(
        min_turns=2, max_turns=3, max_reply_tokens=120, max_conversation_tokens=600
    )
    tight = parse_study(text + "\n[arguments]\nbudget_usd = 0.01\n")
    with pytest.raises(BudgetExceeded, match=r"above the study's budget of \$0.01"):
        generate_all(store, tight, study_id)
    with store.session() as session:
        assert session.query(ArgumentRow).count() == 0  # nothing stored above the budget
    summary = generate_all(store, study, study_id)
    assert summary.estimate is not None
    [line] = [x for x in summary.estimate.lines if x.writer == "chat"]
    # 64 slots x 1 rater x 3 turns; each reply at its bound, its prompt bounded too
    assert line.requests == 192 and line.output_tokens_max == 192 * 120
    assert line.input_tokens >= 192 * (3 * 1500 + min(600, 3 * 120))
    assert line.cost_usd > 0
    with store.session() as session:
        slots = session.query(ArgumentRow).filter(ArgumentRow.format == "conversation").all()
    assert len(slots) == 64 and all(s.cost_usd == 0 and s.writer == "chat" for s in slots)
    assert all("Persuade the participant" in s.text for s in slots)
    again = generate_all(store, study, study_id)
    assert again.written == 0  # a re-run stores nothing twice
