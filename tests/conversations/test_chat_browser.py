"""A three-turn conversation in a real headless Chromium (JavaScript on: messages posted in
the background, replies streamed as server-sent events), against the app in a real uvicorn
process. The server is killed (SIGKILL) between turns and restarted; the page reloads where it
was, the conversation finishes, and the transcript and the ratings are complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from study.store import ConversationRow, ConversationTurnRow, RatingRow, SessionRow, Store
from tests.conversations.conftest import chat_study_text, field_chat_study
from tests.support.browser import chromium
from tests.surveys.live import live_server

pytestmark = pytest.mark.browser
LIMITS = "min_turns = 3\nmax_turns = 3"


def wait_for(driver: Any, check: str, seconds: float = 30) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(check)
    )


def turns(driver: Any) -> int:
    return int(driver.execute_script("return document.getElementById('chat').dataset.turns;"))


def say(driver: Any, text: str, expected: int) -> None:
    """Type a message, send it (JavaScript), wait until the streamed reply is stored and the
    page reloaded with `expected` answered turns."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "message")
    box.send_keys(text)
    if expected == 2:  # one paste, recorded as an integrity signal
        driver.execute_script("arguments[0].dispatchEvent(new Event('paste'))", box)
    driver.find_element(By.ID, "send").click()
    wait_for(
        driver,
        f"var c = document.getElementById('chat'); return document.readyState === 'complete' "
        f"&& c !== null && c.dataset.turns === '{expected}';",
    )


def click_and_wait(driver: Any, element_id: str) -> None:
    from selenium.webdriver.common.by import By

    driver.execute_script("window.__old = true;")
    driver.find_element(By.ID, element_id).click()
    wait_for(driver, "return window.__old === undefined && document.readyState === 'complete';")


def answer_page(driver: Any, kind: str) -> None:
    from selenium.webdriver.common.by import By

    if kind in ("before", "after"):
        value = "3" if kind == "before" else "5"
        driver.find_element(By.CSS_SELECTOR, f'input[value="{value}"]').click()
    elif kind == "attention":
        driver.find_element(By.CSS_SELECTOR, "input[type=radio]").click()
    driver.execute_script("window.__old = true;")
    driver.find_element(By.CSS_SELECTOR, "form[action='/survey'] button[type=submit]").click()
    wait_for(driver, "return window.__old === undefined && document.readyState === 'complete';")


@pytest.mark.timeout(400)
def test_three_turn_conversation_survives_a_sigkill_between_turns(
    store: Store, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    text = chat_study_text("chat-browser").replace("min_turns = 2\nmax_turns = 3", LIMITS)
    field_chat_study(store, text, topics=1, essays=0)
    with live_server(store.url, tmp_path / "server.log") as server, chromium() as driver:
        driver.get(f"{server.base}/start/chat-browser?PROLIFIC_PID=chromium-chat&SESSION_ID=s")
        for _ in range(20):
            kind = driver.find_element(By.ID, "main").get_attribute("data-page")
            if kind in ("chat", "done"):
                break
            answer_page(driver, kind)
        assert kind == "chat"
        assert not driver.find_element(By.ID, "continue").is_enabled()
        say(driver, "I doubt this. Why should I agree?", 1)
        say(driver, "What about the costs?", 2)
        server.kill()  # between turns: nothing in flight, everything committed
        server.start()
        driver.refresh()
        wait_for(driver, "return document.readyState === 'complete';")
        assert turns(driver) == 2
        assert len(driver.find_elements(By.CSS_SELECTOR, "#chat li.msg")) == 4
        assert not driver.find_element(By.ID, "continue").is_enabled()  # min_turns = 3
        say(driver, "Give me one concrete example.", 3)
        assert not driver.find_elements(By.ID, "chat-form")  # max_turns reached
        click_and_wait(driver, "continue")
        for _ in range(20):
            kind = driver.find_element(By.ID, "main").get_attribute("data-page")
            if kind == "done":
                break
            answer_page(driver, kind)
        assert kind == "done"
    with store.session() as session:
        talk = session.scalars(select(ConversationRow)).one()
        rows = session.scalars(
            select(ConversationTurnRow).order_by(ConversationTurnRow.turn, ConversationTurnRow.id)
        ).all()
        rating = session.scalars(select(RatingRow)).one()
        status = session.scalars(select(SessionRow.status)).one()
    assert [(r.turn, r.role) for r in rows] == [
        (t, role) for t in (1, 2, 3) for role in ("participant", "model")
    ]
    assert [r.text for r in rows if r.role == "participant"] == [
        "I doubt this. Why should I agree?",
        "What about the costs?",
        "Give me one concrete example.",
    ]
    assert all(r.text.startswith("[OFFLINE PLACEHOLDER") for r in rows if r.role == "model")
    assert [r.pastes for r in rows if r.role == "participant"] == [0, 1, 0]
    assert all(r.keystrokes > 0 for r in rows if r.role == "participant")
    assert talk.status == "ended" and talk.end_reason == "max_turns"
    assert (rating.before, rating.after) == (3, 5) and rating.pastes == 1
    assert status == "completed"
