"""Simulated participants converse through the real app over HTTP (no JavaScript): every
message and reply is stored as a turn, the after-rating follows the conversation, and the
ratings table carries the format, the turns and the words the model wrote."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from analysis import ratings_table
from cli.main import app
from fieldwork.server import create_server_app
from study.store import ConversationRow, ConversationTurnRow, Store
from surveys import conversation_summary
from surveys.app import AppSettings
from surveys.bots import run_panel_over_http
from surveys.transcripts import COLUMNS
from tests.conversations.conftest import KEY, chat_study_text, field_chat_study


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


def test_transcripts_export_every_turn_and_the_dashboard_shows_one_by_session(
    store: Store, tmp_path: Path
) -> None:
    field_chat_study(store, chat_study_text("chat-export"), topics=3)
    run_panel_over_http(store, "chat-export", KEY, n=3, concurrency=2, probe_every=0)
    with store.session() as session:
        turns = session.scalars(select(ConversationTurnRow)).all()
        first = session.scalars(select(ConversationRow.session_id).order_by(ConversationRow.id))
        session_id = next(iter(first))
    assert turns
    runner = CliRunner()
    db = ["--db", store.url]
    for name in ("t.jsonl", "t.csv"):
        result = runner.invoke(
            app, ["transcripts", "export", "chat-export", "--out", str(tmp_path / name), *db]
        )
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"Wrote {len(turns)} turns to {tmp_path / name}"
    lines = [json.loads(x) for x in (tmp_path / "t.jsonl").read_text().splitlines()]
    keys = {(r["session"], r["item"], r["turn"], r["role"]) for r in lines}
    assert len(keys) == len(lines) == len(turns)  # every turn once
    assert {r["role"] for r in lines} == {"participant", "model"}
    with (tmp_path / "t.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(turns) and list(rows[0]) == list(COLUMNS)
    text = (tmp_path / "t.jsonl").read_text() + (tmp_path / "t.csv").read_text()
    assert "sim-chat-export" not in text  # no platform ids
    bad = runner.invoke(
        app, ["transcripts", "export", "chat-export", "--out", str(tmp_path / "t.txt"), *db]
    )
    assert bad.exit_code == 1
    assert (
        bad.output.strip()
        == f"Error: {tmp_path / 't.txt'}: export transcripts to a .jsonl or .csv file"
    )
    server = create_server_app(store, AppSettings(key=KEY, researcher_token="r" * 40))
    with TestClient(server, follow_redirects=False) as client:
        auth = {"Authorization": "Bearer " + "r" * 40}
        page = client.get(f"/researcher/chat-export/transcripts/{session_id}", headers=auth)
        assert page.status_code == 200
        mine = [r for r in lines if r["session"] == session_id]
        assert page.text.count('class="msg msg-') == len(mine)
        assert html.escape(mine[-1]["text"]).split()[0] in page.text
        assert (
            client.get("/researcher/chat-export/transcripts/999999", headers=auth).status_code
            == 404
        )
        assert client.get(f"/researcher/chat-export/transcripts/{session_id}").status_code == 401
        jump = client.get(f"/researcher/chat-export/transcripts?session={session_id}", headers=auth)
        assert jump.headers["location"] == f"/researcher/chat-export/transcripts/{session_id}"
    with store.session() as session:
        study_id = session.scalar(select(ConversationRow.study_id))
    summary = conversation_summary(store, study_id or 0)
    assert summary.replies == len(turns) // 2 and summary.by_status.get("open", 0) == 0
