"""Simulated participants converse through the real app over HTTP (no JavaScript): every
message and reply is stored as a turn, the after-rating follows the conversation, and the
ratings table carries the format, the turns and the words the model wrote."""

from __future__ import annotations

from sqlalchemy import select

from analysis import ratings_table
from study.store import ConversationRow, ConversationTurnRow, Store
from surveys.bots import run_panel_over_http
from tests.conversations.conftest import KEY, field_chat_study


def test_bots_converse_over_http_and_every_turn_is_stored(store: Store) -> None:
    field = field_chat_study(store)
    results = run_panel_over_http(store, "chat-test", KEY, n=5, concurrency=2, probe_every=0)
    assert all(r.completed for r in results if not r.full)
    with store.session() as session:
        talks = session.scalars(select(ConversationRow)).all()
        turns = session.scalars(select(ConversationTurnRow)).all()
    assert len(talks) >= 3
    assert {t.status for t in talks} == {"ended"}
    for talk in talks:
        mine = [t for t in turns if t.conversation_id == talk.id]
        asked = sorted(t.turn for t in mine if t.role == "participant")
        answered = sorted(t.turn for t in mine if t.role == "model")
        assert asked == answered and 2 <= len(asked) <= 3
        assert all(t.text.startswith("[OFFLINE PLACEHOLDER") for t in mine if t.role == "model")
    table = ratings_table(store, field.study_id)
    chats = table[table["format"] == "conversation"]
    assert len(chats) == len(talks) and set(table["format"]) <= {"static", "conversation"}
    assert chats["turns"].between(2, 3).all() and (chats["model_words"] > 0).all()
    assert (chats["exclusion"] == "").all()
    assert table[table["format"] == "static"]["turns"].isna().all()
