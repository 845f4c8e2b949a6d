"""A provider that keeps failing mid-conversation: the reply is retried through the one
wrapper, then the conversation ends politely; the participant goes on to the after-rating and
keeps their place and pay, and the item is excluded as conversation_failed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis import ratings_table
from arguments import spending
from study.store import ConversationRow, GenerationRequestRow, SessionRow, Store
from surveys.bots import run_panel_over_http
from tests.conversations.conftest import KEY, chat_study_text, field_chat_study
from tests.support.anthropic_standin import Behaviour, Fault, StandIn

FAST_RETRIES = (
    "\n[generation]\nmax_attempts = 2\nretry_base_seconds = 0.01\nretry_max_seconds = 0.02\n"
)


def test_failed_replies_end_the_conversation_and_exclude_only_that_item(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    behaviour = Behaviour(latency=0.0, faults=(Fault(500, every=1),), fault_once=False)
    with StandIn(behaviour) as api:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        text = chat_study_text("chat-fail", "anthropic/claude-haiku-4-5", FAST_RETRIES)
        field = field_chat_study(store, text, topics=2, essays=2)
        results = run_panel_over_http(store, "chat-fail", KEY, n=2, concurrency=1, probe_every=0)
        sent = api.stats.messages
    assert all(r.completed for r in results)
    with store.session() as session:
        talks = session.scalars(select(ConversationRow)).all()
        attempts = session.scalars(select(GenerationRequestRow)).all()
        statuses = set(session.scalars(select(SessionRow.status)))
    assert talks and {t.status for t in talks} == {"failed"}
    assert all(t.end_reason.startswith("provider: HTTP 500") for t in talks)
    assert len(attempts) == 2 * len(talks) == sent  # each reply tried max_attempts times
    assert {a.state for a in attempts} == {"failed"}
    assert spending(store, field.study_id).total_usd == 0.0
    assert statuses == {"completed"}  # place and pay kept
    table = ratings_table(store, field.study_id)
    chats = table[table["format"] == "conversation"]
    assert (chats["exclusion"] == "conversation_failed").all()
    assert (chats["turns"] == 1).all() and (chats["model_words"] == 0).all()
    assert (table[table["format"] == "static"]["exclusion"] == "").all()
