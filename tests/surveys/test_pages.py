"""The page sequence and field validation (pure functions)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from study.config import parse_study
from study.exclusions import argument_min_reading_ms as min_reading_ms
from surveys import sessions
from surveys.pages import RATING, FormError, page_sequence, validate
from tests.surveys.conftest import study_text

STUDY = parse_study(study_text())


def kinds(items: int, checks: int, demographics: bool = False) -> list[str]:
    steps = page_sequence(items, tuple(f"c{i}" for i in range(checks)), demographics)
    return [s.kind if s.kind != "attention" else s.check for s in steps]


def test_attention_checks_sit_between_items() -> None:
    assert kinds(3, 2) == [
        "consent",
        *("before", "argument", "after", "c0"),
        *("before", "argument", "after", "c1"),
        *("before", "argument", "after"),
        "debrief",
        "done",
    ]
    assert kinds(1, 2, demographics=True) == [
        "consent", "demographics", "before", "argument", "after", "c0", "c1", "debrief", "done"
    ]  # fmt: skip


@given(st.text(max_size=12))
def test_a_rating_is_an_integer_from_1_to_7_and_nothing_else(raw: str) -> None:
    if raw in {"1", "2", "3", "4", "5", "6", "7"}:
        assert RATING.parse(raw) == int(raw)
    else:
        with pytest.raises(FormError):
            RATING.parse(raw)


def test_forms_refuse_fields_the_page_does_not_have() -> None:
    before = page_sequence(1, (), False)[1]
    with pytest.raises(FormError, match="does not accept the field"):
        validate(before, STUDY, {"step": "1", "csrf": "x", "rating": "4", "after": "7"})
    assert validate(before, STUDY, {"step": "1", "csrf": "x", "rating": "4"}) == {"rating": 4}


def test_minimum_reading_time_follows_length_and_floor() -> None:
    assert min_reading_ms(" ".join(["w"] * 250), STUDY) == 7500  # 250 words at 2000 wpm
    floored = parse_study(study_text(extra="\n[survey]\nmin_reading_seconds = 10\n"))
    assert min_reading_ms("two words", floored) == 10_000


def test_a_crash_shows_the_error_page_without_a_trace(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sessions, "load_view", boom)
    client.get("/start/survey-test?pid=crash")
    quiet = TestClient(client.app, raise_server_exceptions=False, cookies=client.cookies)
    response = quiet.get("/survey")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Your saved answers are safe" in response.text


def test_prolific_studies_link_back_to_prolific_with_the_code() -> None:
    from surveys.app.participant import completion_link

    extra = '\n[recruitment]\nplatform = "prolific"\nsurvey_url = "https://s.example/start/x"\n'
    prolific = parse_study(study_text(extra=extra))
    assert completion_link(prolific, "C123") == (
        "https://app.prolific.com/submissions/complete?cc=C123"
    )
    own = parse_study(study_text(extra='\n[survey]\ncompletion_url = "https://x.example/{code}"\n'))
    assert completion_link(own, "C9") == "https://x.example/C9"
    assert completion_link(STUDY, "C9") == ""
