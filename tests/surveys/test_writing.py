"""The writing task: word range enforced by the server, pastes recorded, the text stored once
as the writer's argument under the plan's request key, forged cookies refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from study.store import ArgumentRow, WritingTaskRow
from surveys.bots import parse_page
from surveys.writing import ensure_writing_tasks
from tests.surveys.conftest import Fielded


def prepare(fielded: Fielded) -> None:
    with fielded.store.session() as session:
        session.execute(delete(ArgumentRow).where(ArgumentRow.writer == "human"))
    assert ensure_writing_tasks(fielded.store, "survey-test") > 0
    assert ensure_writing_tasks(fielded.store, "survey-test") == 0


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="(\w+)"', html)
    assert found
    return found.group(1)


def test_writing_task_checks_length_and_stores_the_text(
    client: TestClient, fielded: Fielded
) -> None:
    prepare(fielded)
    assert client.get("/write/start/survey-test?pid=W1").status_code == 303
    page = client.get("/write")
    assert parse_page(page).kind == "write" and 'id="word-count"' in page.text
    csrf = csrf_of(page.text)
    short = client.post("/write", data={"csrf": csrf, "text": "too short", "pastes": "0"})
    assert short.status_code == 400
    assert "Your text has 2 words; please write between 200 and 300 words." in short.text
    text = " ".join(["word"] * 250)
    assert client.post("/write", data={"text": text, "pastes": "0"}).status_code == 403
    ok = client.post("/write", data={"csrf": csrf, "text": text, "pastes": "2"})
    assert ok.status_code == 303
    again = client.post("/write", data={"csrf": csrf, "text": text, "pastes": "0"})
    assert again.status_code == 409
    assert parse_page(client.get("/write")).kind == "written"
    with fielded.store.session() as session:
        task = session.scalars(
            select(WritingTaskRow).where(WritingTaskRow.status == "submitted")
        ).one()
        arg = session.get(ArgumentRow, task.argument_id)
        assert arg is not None and arg.text == text and arg.writer == "human"
    assert task.paste_count == 2


def test_forged_writer_cookie_is_refused(client: TestClient, fielded: Fielded) -> None:
    prepare(fielded)
    client.get("/write/start/survey-test?pid=W2")
    real = client.cookies["ps_writer"]
    task_id = int(real.split(".")[0])
    client.cookies.clear()
    client.cookies.set("ps_writer", f"{task_id + 1}.{real.split('.')[1]}")
    assert client.get("/write").status_code == 403
