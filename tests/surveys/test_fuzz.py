"""A property test: random bytes and unicode posted to every form of the app (every page of a
session, the heartbeat, the writing task, the researcher login and the start links) never
get a 500; malformed input is a 4xx with the one error shape."""

from __future__ import annotations

import time

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.server import create_server_app
from study.store import Store
from surveys.app import AppSettings
from surveys.bots import Page, parse_page
from tests.surveys.conftest import KEY, field_study

FIELDS = ("step", "csrf", "rating", "choice", "focus_losses", "pastes", "text", "x")
TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=b",
    "multipart/form-data",
    "text/plain",
    "application/json",
)
text = st.text(max_size=40)
digits_like = st.sampled_from(["0", "1", "4", "²", "٣", "１", "-1", "1e3", "99999999999999", ""])
values = st.one_of(text, digits_like)
forms = st.dictionaries(st.sampled_from(FIELDS) | text, values, max_size=6)
RUN = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_not_500(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        assert set(response.json()["error"]) == {"status", "code", "message"}


def fuzz_form(client: TestClient, url: str, page: Page | None) -> None:
    @RUN
    @given(form=forms, keep_csrf=st.booleans(), json=st.booleans())
    def posted(form: dict[str, str], keep_csrf: bool, json: bool) -> None:
        if page is not None and keep_csrf:
            form = {**form, "csrf": page.csrf, "step": form.get("step", str(page.step))}
        headers = {"accept": "application/json"} if json else {}
        assert_not_500(client.post(url, data=form, headers=headers))

    @RUN
    @given(body=st.binary(max_size=300), kind=st.sampled_from(TYPES) | text)
    def raw(body: bytes, kind: str) -> None:
        clean = kind.replace("\r", "").replace("\n", "").replace("\x00", "")
        headers = {"content-type": clean.encode("utf-8")}
        assert_not_500(client.post(url, content=body, headers=headers))

    posted()
    raw()


def answer(client: TestClient, page: Page) -> None:
    fields = {"step": str(page.step), "csrf": page.csrf}
    if page.kind in ("before", "after"):
        fields["rating"] = "4"
    elif page.kind == "argument":
        time.sleep(page.wait_ms / 1000 + 0.02)
    elif page.kind == "attention":
        fields["choice"] = page.choices[0]
    client.post("/survey", data=fields)


def test_random_input_to_every_form_is_never_a_500(store: Store) -> None:
    field_study(store)
    settings = AppSettings(key=KEY, researcher_token="r" * 40, starts_per_minute=100_000)
    app = create_server_app(store, settings)
    with TestClient(app, follow_redirects=False) as client:
        fuzz_form(client, "/survey", None)  # no session yet
        fuzz_form(client, "/write", None)
        fuzz_form(client, "/researcher/login", None)

        @RUN
        @given(
            query=st.dictionaries(
                st.sampled_from(("PROLIFIC_PID", "pid", "SESSION_ID")) | text, values, max_size=3
            )
        )
        def started(query: dict[str, str]) -> None:
            client.cookies.clear()
            assert_not_500(client.get("/start/survey-test", params=query))
            assert_not_500(client.get("/write/start/survey-test", params=query))

        started()
        client.cookies.clear()
        assert client.get("/start/survey-test?pid=fuzzer").status_code == 303
        seen: set[str] = set()
        for _ in range(40):
            page = parse_page(client.get("/survey"))
            if page.kind == "done":
                break
            if page.kind not in seen:
                seen.add(page.kind)
                fuzz_form(client, "/survey", parse_page(client.get("/survey")))
                fuzz_form(client, "/survey/heartbeat", page)
            answer(client, parse_page(client.get("/survey")))
    assert {"consent", "before", "argument", "after", "attention", "debrief"} <= seen
