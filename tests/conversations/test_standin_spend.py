"""Fifty simulated conversations against the Anthropic stand-in with injected faults (429
with retry-after, 529, 500): no reply is paid twice, and the spend the ledger records is what
the stand-in billed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from arguments import model_for, spending
from study.store import ConversationRow, ConversationTurnRow, GenerationRequestRow, Store
from surveys.bots import run_panel_over_http
from tests.conversations.conftest import KEY, chat_study_text, field_chat_study
from tests.support.anthropic_api import paid_twice
from tests.support.anthropic_standin import Behaviour, Fault, StandIn

GENERATION = (
    "\n[generation]\nrequests_per_minute = 60000\nmax_attempts = 6\n"
    "retry_base_seconds = 0.01\nretry_max_seconds = 0.05\n"
)
FAULTS = (Fault(429, every=5, retry_after=0.02), Fault(529, every=7), Fault(500, every=11))


@pytest.mark.timeout(600)
def test_fifty_conversations_with_faults_pay_each_reply_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StandIn(Behaviour(latency=0.01, words=40, faults=FAULTS)) as api:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        text = chat_study_text("chat-spend", "anthropic/claude-haiku-4-5", GENERATION)
        text = text.replace("per_argument = 1", "per_argument = 2")
        field = field_chat_study(store, text, topics=32, essays=1)
        run_panel_over_http(store, "chat-spend", KEY, n=40, concurrency=6, probe_every=0)
        billed, faults = list(api.stats.billed), dict(api.stats.faults)
    with store.session() as session:
        talks = session.scalars(select(ConversationRow)).all()
        turns = session.scalars(select(ConversationTurnRow)).all()
        attempts = session.scalars(select(GenerationRequestRow)).all()
    assert len(talks) >= 50
    assert sum(faults.values()) > 0 and set(faults) == {429, 529, 500}
    replies = [t for t in turns if t.role == "model"]
    assert all(t.status == "ended" for t in talks)
    assert paid_twice(billed) == 0
    answered = [a for a in attempts if a.state == "answered"]
    assert len(answered) == len(billed) == len(replies)  # one billed answer per stored reply
    assert not [a for a in attempts if a.state == "sent"]
    assert len({a.request_key for a in answered}) == len(answered)
    model = model_for(field.study, field.study.writer("chat"))
    charged = sum(model.cost(b.input_tokens, b.output_tokens) for b in billed)
    assert spending(store, field.study_id).total_usd == pytest.approx(charged, rel=1e-9)
    assert sum(t.cost_usd for t in replies) == pytest.approx(charged, rel=1e-9)
