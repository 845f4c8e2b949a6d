"""The participant app in process: a whole journey by a probing bot, and proofs that bad
input (tampered ratings, changed before-ratings, replays, missing CSRF, forged sessions,
injected markup) is refused or neutralised."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from study.store import (
    AssignmentRow,
    AttentionAnswerRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    WaveRow,
)
from surveys import completion_codes
from surveys.app import AppSettings, create_app
from surveys.bots import Bot, Oracle, Page, parse_page
from tests.surveys.conftest import KEY, Fielded, field_study


def enter(client: TestClient, pid: str = "P1") -> Page:
    response = client.get(f"/start/survey-test?PROLIFIC_PID={pid}&STUDY_ID=x&SESSION_ID=y")
    assert response.status_code == 303
    return parse_page(client.get("/survey"))


def post(client: TestClient, page: Page, **fields: str) -> httpx.Response:
    return client.post("/survey", data={"step": page.step, "csrf": page.csrf, **fields})


def walk_to(client: TestClient, kind: str) -> Page:
    """Enter as P1 if needed, then answer pages (rating 4, first choice of attention checks)
    until a page of `kind` shows."""
    if "ps_session" not in client.cookies:
        enter(client)
    for _ in range(40):
        page = parse_page(client.get("/survey"))
        if page.kind == kind:
            return page
        fields: dict[str, str] = {}
        if page.kind in ("before", "after"):
            fields["rating"] = "4"
        elif page.kind == "argument":
            time.sleep(page.wait_ms / 1000 + 0.02)
        elif page.kind == "attention":
            fields["choice"] = page.choices[0]
        assert post(client, page, **fields).status_code == 303
    raise AssertionError(f"no {kind} page")


def test_probing_bot_completes_and_every_bad_input_is_refused(any_store: Store) -> None:
    fielded = field_study(any_store)
    oracle = Oracle(fielded.store, "survey-test", KEY)
    app = create_app(fielded.store, AppSettings(key=KEY))
    with TestClient(app, follow_redirects=False) as client:
        result = Bot(client, oracle, "probe-1", seed=1, probe=True).run("survey-test")
    assert result.completed and result.code == completion_codes(fielded.study)[0]
    assert result.refused >= 20
    with fielded.store.session() as session:
        ratings = session.scalars(select(RatingRow)).all()
        sess = session.scalars(select(SessionRow)).one()
    assert sorted((r.before, r.after) for r in ratings) == sorted(result.answers.values())
    assert sess.status == "completed" and sess.completion_code == result.code


def test_before_rating_is_locked_against_replay_and_back_button(client: TestClient) -> None:
    page = walk_to(client, "before")
    assert post(client, page, rating="2").status_code == 303
    replay = post(client, page, rating="7")
    assert replay.status_code == 409
    assert "cannot be changed" in replay.text
    argument = parse_page(client.get("/survey"))
    assert argument.kind == "argument"
    sneaky = post(client, argument, rating="7")
    assert sneaky.status_code == 400 and parse_page(sneaky).error == "unexpected_field"
    assert client.get("/survey").status_code == 200


def test_ratings_must_be_integers_from_1_to_7(client: TestClient) -> None:
    page = walk_to(client, "before")
    for bad in ("0", "8", "3.0", "+4", " 4", "4e0", "٤", "99999999999999999999"):
        response = post(client, page, rating=bad)
        assert response.status_code == 400, bad
        assert parse_page(response).error == "invalid_rating"
    assert post(client, page, rating="7").status_code == 303


def test_missing_or_foreign_csrf_token_is_refused(client: TestClient, fielded: Fielded) -> None:
    page = walk_to(client, "before")
    no_token = client.post("/survey", data={"step": page.step, "rating": "3"})
    assert no_token.status_code == 403 and parse_page(no_token).error == "csrf"
    other = TestClient(client.app, follow_redirects=False)
    other_page = enter(other, "P2")
    foreign = client.post(
        "/survey", data={"step": page.step, "csrf": other_page.csrf, "rating": "3"}
    )
    assert foreign.status_code == 403
    with fielded.store.session() as session:
        assert session.scalars(select(RatingRow)).all() == []


def test_forged_and_missing_sessions_are_refused(client: TestClient) -> None:
    enter(client)
    client.cookies.clear()
    client.cookies.set("ps_session", "forged-token")
    assert client.get("/survey").status_code == 403
    client.cookies.clear()
    response = client.get("/survey", headers={"accept": "application/json"})
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "status": 403,
            "code": "no_session",
            "message": "Please open this study from the link on the recruitment platform.",
        }
    }


def test_cookie_is_httponly_samesite_and_token_is_stored_hashed(
    client: TestClient, fielded: Fielded
) -> None:
    response = client.get("/start/survey-test?PROLIFIC_PID=P9")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = client.cookies["ps_session"]
    assert len(token) >= 43
    with fielded.store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        person = session.scalars(select(ParticipantRow)).one()
    assert token not in sess.token_hash and "P9" not in person.platform_id_hash
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["referrer-policy"] == "no-referrer"


def test_argument_text_is_escaped_with_paragraphs_kept(client: TestClient) -> None:
    walk_to(client, "argument")
    html = client.get("/survey").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>Short argument.</p>" in html


def test_continue_too_early_is_refused_by_the_server(client: TestClient) -> None:
    page = walk_to(client, "argument")
    assert page.wait_ms > 0
    response = post(client, page, focus_losses="0")
    assert response.status_code == 400 and parse_page(response).error == "too_fast"
    time.sleep(page.wait_ms / 1000 + 0.05)
    assert post(client, page).status_code == 303


def test_returning_participant_resumes_the_same_session(
    client: TestClient, fielded: Fielded
) -> None:
    page = walk_to(client, "before")
    assert post(client, page, rating="5").status_code == 303
    fresh = TestClient(client.app, follow_redirects=False)  # another browser, same id
    again = enter(fresh, "P1")
    assert again.kind == "argument" and again.step == str(int(page.step) + 1)
    assert client.get("/survey").status_code == 403  # the old cookie stops working
    with fielded.store.session() as session:
        assert len(session.scalars(select(SessionRow)).all()) == 1


def test_two_failed_attention_checks_exclude(client: TestClient, fielded: Fielded) -> None:
    for _ in range(2):
        page = walk_to(client, "attention")
        wrong = next(c for c in page.choices if c not in ("Somewhat support", "Strongly oppose"))
        assert post(client, page, choice=wrong).status_code == 303
    with fielded.store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        answers = session.scalars(select(AttentionAnswerRow)).all()
    assert [a.passed for a in answers] == [False, False]
    assert sess.exclusion == "failed_attention_checks"
    done = walk_to(client, "done")  # they may finish, and get the platform's other code
    assert done.code == completion_codes(fielded.study)[1] != completion_codes(fielded.study)[0]


def test_session_starts_are_rate_limited(fielded: Fielded) -> None:
    app = create_app(fielded.store, AppSettings(key=KEY, starts_per_minute=2))
    with TestClient(app, follow_redirects=False) as c:
        codes = [c.get(f"/start/survey-test?pid=R{i}").status_code for i in range(3)]
    assert codes == [303, 303, 429]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/start/no-such-study?pid=a", 404, "no_study"),
        ("/start/survey-test?pid=%3Cscript%3E", 400, "invalid_participant_id"),
        ("/nowhere", 404, "http"),
    ],
)
def test_errors_have_one_shape(client: TestClient, url: str, status: int, code: str) -> None:
    response = client.get(url, headers={"accept": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    page = client.get(url)
    assert parse_page(page).error == code and "Traceback" not in page.text


def test_prolific_waves_need_a_participant_id(client: TestClient, fielded: Fielded) -> None:
    with fielded.store.session() as session:
        wave = session.get(WaveRow, fielded.wave_id)
        assert wave is not None
        wave.platform = "prolific"
    response = client.get("/start/survey-test")
    assert response.status_code == 400
    assert parse_page(response).error == "missing_participant_id"
    assert client.get("/start/survey-test?PROLIFIC_PID=abc123").status_code == 303


def test_expired_session_shows_the_timeout_page(client: TestClient, fielded: Fielded) -> None:
    from datetime import UTC, datetime, timedelta

    from surveys.assignment import release_expired

    walk_to(client, "before")  # past the consent: an answered session
    assert release_expired(fielded.store, datetime.now(UTC) + timedelta(hours=2)) == 3
    response = client.get("/survey")
    assert response.status_code == 410 and "timed out" in response.text


def test_a_session_freed_before_its_first_answer_gets_places_when_it_consents(
    client: TestClient, fielded: Fielded
) -> None:
    from datetime import UTC, datetime, timedelta

    from surveys.assignment import release_expired

    consent = enter(client)
    assert release_expired(fielded.store, datetime.now(UTC) + timedelta(hours=2)) == 3
    assert parse_page(client.get("/survey")).kind == "consent"
    assert post(client, consent).status_code == 303
    assert parse_page(client.get("/survey")).kind == "before"
    with fielded.store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        statuses = sorted(a.status for a in session.scalars(select(AssignmentRow)))
    assert sess.status == "active" and statuses == ["reserved"] * 3


def test_anonymous_links_resume_by_cookie_and_ignore_stale_cookies(client: TestClient) -> None:
    assert client.get("/start/survey-test").status_code == 303
    first = client.cookies["ps_session"]
    assert client.get("/start/survey-test").status_code == 303
    assert client.cookies["ps_session"] == first  # same browser, same session
    fresh = TestClient(client.app, follow_redirects=False, cookies={"ps_session": "stale"})
    response = fresh.get("/start/survey-test")
    assert response.status_code == 303
    assert "ps_session=" in response.headers["set-cookie"]
    assert f"ps_session={first}" not in response.headers["set-cookie"]


def test_oversized_posts_are_refused_before_parsing(client: TestClient) -> None:
    page = walk_to(client, "before")
    response = post(client, page, rating="4", pad="x" * 300_000)
    assert response.status_code == 413 and parse_page(response).error == "too_large"
