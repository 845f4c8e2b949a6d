"""Prolific's pure converters: request bodies and response parsing, no I/O."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fieldwork.platforms import PlatformError, PublishRequest, Submission
from fieldwork.platforms.prolific_convert import (
    approve_body,
    bonus_body,
    bulk_approve_bodies,
    error_message,
    parse_study_id,
    parse_submissions,
    reject_body,
    return_body,
    study_body,
    survey_link,
)
from surveys.completion import prolific_completion_url as completion_url

REQUEST = PublishRequest(
    name="Opinions",
    internal_name="s wave 1",
    description="Read and rate.",
    survey_url="https://survey.example.org/s/abc",
    places=30,
    reward=250,
    estimated_minutes=12,
    completion_code="C1234567",
    failed_attention_code="CFAILED1",
)
LONG = "x" * 100


def sub(status: str = "awaiting_review") -> Submission:
    return Submission("sub1", "pid1", status)  # type: ignore[arg-type]


def test_survey_link_carries_participant_study_and_session_ids() -> None:
    assert survey_link("https://a.org/s") == (
        "https://a.org/s?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}"
        "&SESSION_ID={{%SESSION_ID%}}"
    )
    assert survey_link("https://a.org/s?x=1").startswith("https://a.org/s?x=1&PROLIFIC_PID=")


def test_study_body_has_prolific_fields_in_prolific_units() -> None:
    body = study_body(REQUEST)
    assert body["external_study_url"] == survey_link(REQUEST.survey_url)
    assert body["prolific_id_option"] == "url_parameters"
    assert (body["total_available_places"], body["reward"], body["estimated_completion_time"]) == (
        30,
        250,
        12,
    )
    codes = {c["code_type"]: c["code"] for c in body["completion_codes"]}
    assert codes == {"COMPLETED": "C1234567", "FAILED_ATTENTION_CHECK": "CFAILED1"}
    assert body["filters"] == []  # required by Prolific even when nobody is filtered
    assert body["maximum_allowed_time"] == 60
    actions = {c["code_type"]: c["actions"] for c in body["completion_codes"]}
    assert actions["COMPLETED"] == [{"action": "MANUALLY_REVIEW"}]


def test_auto_approve_only_for_the_completed_code() -> None:
    body = study_body(replace(REQUEST, auto_approve=True))
    actions = {c["code_type"]: c["actions"] for c in body["completion_codes"]}
    assert actions == {
        "COMPLETED": [{"action": "AUTOMATICALLY_APPROVE"}],
        "FAILED_ATTENTION_CHECK": [{"action": "MANUALLY_REVIEW"}],
    }


def test_bulk_approve_sends_at_most_1000_ids_a_call() -> None:
    subs = [Submission(f"s{i}", "p", "awaiting_review") for i in range(2500)]
    bodies = bulk_approve_bodies(subs)
    assert [len(b["submission_ids"]) for b in bodies] == [1000, 1000, 500]
    assert bodies[2]["submission_ids"][-1] == "s2499"
    with pytest.raises(ValueError, match="its status is 'timed_out'"):
        bulk_approve_bodies([sub("timed_out")])


def test_bonus_body_is_csv_of_submission_ids_in_major_units() -> None:
    assert bonus_body("st1", [("a", 250), ("b", 5), ("c", 10000)]) == {
        "study_id": "st1",
        "csv_bonuses": "a,2.50\nb,0.05\nc,100.00",
    }
    with pytest.raises(ValueError, match="must be positive"):
        bonus_body("st1", [("a", 0)])


def test_parse_submissions_maps_statuses_and_skips_unknown_ones() -> None:
    page = {
        "results": [
            {"id": "a", "participant_id": "p", "status": "AWAITING REVIEW", "study_code": "C1"},
            {
                "id": "b",
                "participant_id": "q",
                "status": "TIMED-OUT",
                "started_at": "2026-11-25T15:00:00Z",
            },
            {"id": "c", "participant_id": "r", "status": "PROCESSING"},
            {
                "id": "d",
                "participant_id": "s",
                "status": "ACTIVE",
                "return_requested": "2026-01-01",
            },
        ],
        "_links": {"next": {"href": "https://api.prolific.com/api/v1/x/?page=2"}},
    }
    subs, nxt = parse_submissions(page)
    assert [(s.id, s.status) for s in subs] == [
        ("a", "awaiting_review"),
        ("b", "timed_out"),
        ("d", "active"),
    ]
    assert subs[0].study_code == "C1"
    assert subs[1].started_at == datetime(2026, 11, 25, 15, tzinfo=UTC)
    assert subs[2].return_requested
    assert nxt == "https://api.prolific.com/api/v1/x/?page=2"
    assert parse_submissions({"results": [], "_links": {"next": None}}) == ([], None)


def test_parse_refuses_answers_without_the_expected_shape() -> None:
    with pytest.raises(PlatformError, match="without a list of submissions"):
        parse_submissions({"detail": "nope"})
    with pytest.raises(PlatformError, match="without a study id"):
        parse_study_id({"name": "x"})
    assert parse_study_id({"id": "abc"}) == "abc"


def test_approve_only_awaiting_review_never_timed_out() -> None:
    assert approve_body(sub()) == {"action": "APPROVE"}
    with pytest.raises(ValueError) as err:
        approve_body(sub("timed_out"))
    assert str(err.value) == (
        "cannot approve submission sub1: its status is 'timed_out'; only submissions awaiting "
        "review can be reviewed"
    )


def test_reject_needs_a_category_and_a_100_character_message() -> None:
    assert reject_body(sub(), LONG, "FAILED_CHECK") == {
        "action": "REJECT",
        "message": LONG,
        "rejection_category": "FAILED_CHECK",
    }
    with pytest.raises(ValueError, match="unknown rejection category 'LAZY'; allowed: TOO_QUICKLY"):
        reject_body(sub(), LONG, "LAZY")
    with pytest.raises(ValueError, match=r"at least 100 characters .* this one has 5"):
        reject_body(sub(), "short", "FAILED_CHECK")


def test_return_body_needs_a_reason() -> None:
    assert return_body(["Didn't finish the study."]) == {
        "request_return_reasons": ["Didn't finish the study."]
    }
    with pytest.raises(ValueError, match="at least one reason"):
        return_body([])


def test_error_message_reads_prolifics_error_shape() -> None:
    data = {
        "error": {
            "status": 400,
            "title": "Request validation failed",
            "detail": {"reward": ["bad"]},
        }
    }
    assert error_message(400, data, "create the study") == (
        "Prolific refused to create the study (HTTP 400): {'reward': ['bad']}"
    )
    assert error_message(401, {"error": {"title": "Unauthorized"}}, "list").endswith(
        "if it was deleted)"
    )


def test_completion_codes_are_stable_and_the_redirect_carries_them() -> None:
    from study.config import parse_study
    from study.examples import example_study_text
    from surveys import completion_codes

    study = parse_study(example_study_text("codes"))
    completed, failed = completion_codes(study)
    assert completion_codes(study) == (completed, failed)
    assert completed != failed and len(completed) == 8 and completed.isalnum()
    assert (
        completion_url(completed) == f"https://app.prolific.com/submissions/complete?cc={completed}"
    )
