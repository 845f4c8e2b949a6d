"""The writing task: word range enforced by the server, pastes recorded, the text stored once
as the writer's argument under the plan's request key, forged cookies refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from study.store import ArgumentRow, AssignmentRow, WritingTaskRow
from surveys.bots import parse_page
from surveys.pages import FormError
from surveys.sessions import SurveyClosed
from surveys.writing import ensure_writing_tasks, invite_token
from tests.surveys.conftest import KEY, Fielded


def invite(number: int, study: str = "survey-test") -> str:
    return invite_token(KEY, study, number)


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
    assert client.get(f"/write/start/survey-test?token={invite(1)}").status_code == 303
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
    client.get(f"/write/start/survey-test?token={invite(2)}")
    real = client.cookies["ps_writer"]
    task_id = int(real.split(".")[0])
    client.cookies.clear()
    client.cookies.set("ps_writer", f"{task_id + 1}.{real.split('.')[1]}")
    assert client.get("/write").status_code == 403


def test_a_bare_writer_id_or_a_forged_invitation_starts_nothing(
    client: TestClient, fielded: Fielded
) -> None:
    prepare(fielded)
    bare = client.get("/write/start/survey-test?pid=W1")
    assert bare.status_code == 403 and parse_page(bare).error == "invite_needed"
    prolific_id = client.get("/write/start/survey-test?PROLIFIC_PID=abc")  # a link study
    assert prolific_id.status_code == 403
    forged = client.get("/write/start/survey-test?token=1.000000000000000000000000")
    assert forged.status_code == 400 and parse_page(forged).error == "invalid_invite"
    other_study = client.get(f"/write/start/survey-test?token={invite(1, 'other')}")
    assert other_study.status_code == 400
    with fielded.store.session() as session:
        taken = session.scalars(select(WritingTaskRow).where(WritingTaskRow.status != "open"))
        assert taken.all() == []


def test_an_abandoned_claim_returns_its_task_to_the_pool(fielded: Fielded) -> None:
    from datetime import UTC, datetime, timedelta

    from surveys.writing import take_task

    prepare(fielded)
    t0 = datetime.now(UTC)
    first = take_task(fielded.store, "survey-test", "invite:1", KEY, now=t0)
    assert take_task(fielded.store, "survey-test", "invite:1", KEY, now=t0) == first  # resumes
    later = t0 + timedelta(minutes=fielded.study.human_writing.claim_minutes + 1)
    assert take_task(fielded.store, "survey-test", "invite:2", KEY, now=later) == first
    with fielded.store.session() as session:
        task = session.get(WritingTaskRow, first)
        assert task is not None and task.status == "assigned"
    assert take_task(fielded.store, "survey-test", "invite:1", KEY, now=later) != first


def test_written_text_reaches_participants_only_after_approval(
    client: TestClient, fielded: Fielded
) -> None:
    from surveys import decide, review_queue
    from surveys.sessions import start

    prepare(fielded)
    with fielded.store.session() as session:  # only writing-task texts can be assigned
        session.execute(delete(ArgumentRow).where(ArgumentRow.writer != "human"))
    assert client.get(f"/write/start/survey-test?token={invite(3)}").status_code == 303
    csrf = csrf_of(client.get("/write").text)
    text = "\u202eevil\u202c " + " ".join(["cafe\u0301"] * 249) + "\x07"
    assert client.post("/write", data={"csrf": csrf, "text": text, "pastes": "3"}).status_code
    [pending] = review_queue(fielded.store, "survey-test")
    assert pending.status == "pending_review" and pending.pastes == 3
    assert pending.text.startswith("evil café") and "\u202e" not in pending.text
    assert "\x07" not in pending.text and pending.seconds is not None
    with pytest.raises(SurveyClosed):  # nothing approved: no places for participants
        start(fielded.store, "survey-test", "P1", KEY)
    with pytest.raises(FormError, match="A rejection needs a reason"):
        decide(fielded.store, "survey-test", pending.argument_id, "reject")
    approved = decide(fielded.store, "survey-test", pending.argument_id, "approve")
    assert approved.status == "ok" and review_queue(fielded.store, "survey-test") == []
    with pytest.raises(FormError, match="already reviewed"):
        decide(fielded.store, "survey-test", pending.argument_id, "reject", "late")
    started = start(fielded.store, "survey-test", "P2", KEY)
    with fielded.store.session() as session:
        shown = session.scalars(
            select(AssignmentRow.argument_id).where(AssignmentRow.session_id == started.session_id)
        ).all()
    assert shown == [pending.argument_id]


def test_the_dashboard_reviews_written_texts(client: TestClient, fielded: Fielded) -> None:
    prepare(fielded)
    assert client.get(f"/write/start/survey-test?token={invite(4)}").status_code == 303
    csrf = csrf_of(client.get("/write").text)
    text = "=HYPERLINK(x) " + " ".join(["word"] * 230)
    assert client.post("/write", data={"csrf": csrf, "text": text, "pastes": "1"}).status_code
    assert client.get("/researcher/survey-test/writing").status_code == 401
    client.get(f"/researcher/login?study=survey-test&token={'r' * 40}")
    page = client.get("/researcher/survey-test/writing")
    assert page.status_code == 200 and "231 words; 1 paste events" in page.text
    argument_id = int(page.text.split('id="text-')[1].split('"')[0])
    url = f"/researcher/survey-test/writing/{argument_id}"
    review_csrf = csrf_of(page.text)
    forged = client.post(url, data={"csrf": "0" * 64, "decision": "approve"})
    assert forged.status_code == 403
    no_reason = client.post(url, data={"csrf": review_csrf, "decision": "reject"})
    assert no_reason.status_code == 400 and "A rejection needs a reason" in no_reason.text
    approved = client.post(url, data={"csrf": review_csrf, "decision": "approve"})
    assert approved.status_code == 303
    assert 'id="empty"' in client.get("/researcher/survey-test/writing").text
    with fielded.store.session() as session:
        argument = session.get(ArgumentRow, argument_id)
        assert argument is not None and argument.status == "ok"
