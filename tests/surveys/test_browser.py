"""The whole participant journey and the writing task in a real headless Chromium, against the
app running in a real uvicorn process on a real SQLite file. Screenshots of every page are
kept in test-artifacts/browser/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select

from study.config import parse_study
from study.store import (
    ArgumentRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    WritingTaskRow,
)
from surveys.writing import ensure_writing_tasks, invite_token
from tests.support.browser import chromium
from tests.surveys.conftest import field_study, study_text
from tests.surveys.live import REPO, SECRET, TOKEN, live_server

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts" / "browser"
EXTRA = """
[survey]
min_reading_seconds = 2.0
completion_url = "https://app.prolific.com/submissions/complete?cc={code}"

[[survey.demographics]]
key = "age"
label = "Your age group"
choices = ["18-29", "30-49", "50-64", "65 or older"]
"""


def submit_and_wait(driver: object) -> None:
    """Click the page's submit button and wait until the next document has loaded.

    The old document is marked with a window property; the wait ends when a new document
    without it is complete. Errors while the browser is between documents (Chromium can
    report a stale node as a generic inspector error) are ignored until the timeout."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__persuasionOldPage = true;")  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.__persuasionOldPage === undefined && document.readyState === 'complete';"
        )
    )


def test_participant_journey_in_chromium(store: Store, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    text = study_text("browser-study", EXTRA)
    study = parse_study(text)
    field_study(store, text)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen: list[str] = []
    with live_server(store.url, tmp_path / "server.log") as server, chromium() as driver:
        driver.get(f"{server.base}/start/browser-study?PROLIFIC_PID=chromium-1&SESSION_ID=s1")
        for n in range(40):
            kind = driver.find_element(By.ID, "main").get_attribute("data-page")
            seen.append(kind)
            driver.save_screenshot(str(ARTIFACTS / f"journey-{n:02d}-{kind}.png"))
            if kind == "done":
                break
            if kind == "demographics":
                driver.find_element(By.CSS_SELECTOR, 'option[value="30-49"]').click()
            elif kind in ("before", "after"):
                value = "5" if kind == "before" else "6"
                driver.find_element(By.CSS_SELECTOR, f'input[value="{value}"]').click()
            elif kind == "attention":
                legend = driver.find_element(By.TAG_NAME, "legend").text
                check = next(c for c in study.survey.attention_checks if c.prompt == legend)
                driver.find_element(By.CSS_SELECTOR, f'input[value="{check.answer}"]').click()
            elif kind == "argument":
                button = driver.find_element(By.ID, "continue")
                assert not button.is_enabled(), "Continue must wait for the reading time"
                assert "<script>" in driver.find_element(By.TAG_NAME, "article").text
                WebDriverWait(driver, 20).until(
                    lambda d: d.find_element(By.ID, "continue").is_enabled()
                )
            submit_and_wait(driver)
        code = driver.find_element(By.ID, "completion-code").text
        link = driver.find_element(By.ID, "return-link").get_attribute("href")
        driver.get(f"{server.base}/survey")  # coming back after the end shows the code again
        assert driver.find_element(By.ID, "completion-code").text == code
        driver.set_window_size(1100, 1400)
        driver.get(f"{server.base}/researcher/login?study=browser-study&token={TOKEN}")
        driver.save_screenshot(str(ARTIFACTS / "researcher-dashboard.png"))
        assert "By writer" in driver.page_source
    assert seen[:3] == ["consent", "demographics", "before"]
    assert seen.count("argument") == 3 and seen.count("attention") == 2 and seen[-1] == "done"
    assert link == f"https://app.prolific.com/submissions/complete?cc={code}"
    with store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        ratings = session.scalars(select(RatingRow)).all()
        person = session.scalars(select(ParticipantRow)).one()
    assert sess.status == "completed" and sess.completion_code == code
    assert person.demographics == {"age": "30-49"}
    assert [(r.before, r.after) for r in ratings] == [(5, 6)] * 3
    assert all(r.reading_ms is not None and r.reading_ms >= 2000 for r in ratings)


def test_writing_task_in_chromium(store: Store, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    field_study(store, study_text("browser-study"))
    with store.session() as session:
        session.execute(delete(ArgumentRow).where(ArgumentRow.writer == "human"))
    ensure_writing_tasks(store, "browser-study")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    words = " ".join(f"word{i}" for i in range(210))
    with live_server(store.url, tmp_path / "server.log") as server, chromium() as driver:
        token = invite_token(SECRET.encode(), "browser-study", 1)
        driver.get(f"{server.base}/write/start/browser-study?token={token}")
        box = driver.find_element(By.ID, "text")
        box.send_keys(words)
        driver.execute_script(
            "arguments[0].dispatchEvent(new Event('paste', {bubbles: true}))", box
        )
        assert driver.find_element(By.ID, "word-count").text == "210"
        driver.save_screenshot(str(ARTIFACTS / "writing-1-task.png"))
        submit_and_wait(driver)
        driver.save_screenshot(str(ARTIFACTS / "writing-2-done.png"))
        assert driver.find_element(By.ID, "main").get_attribute("data-page") == "written"
    with store.session() as session:
        task = session.scalars(
            select(WritingTaskRow).where(WritingTaskRow.status == "submitted")
        ).one()
        argument = session.get(ArgumentRow, task.argument_id)
    assert argument is not None and argument.text == words and task.paste_count == 1
