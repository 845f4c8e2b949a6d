"""The quality rules: platform policy (reject only for two failed attention checks, never
approve a timed-out submission) and the study's exclusions."""

import pytest

from fieldwork.quality import REJECTION_CATEGORY, decide
from study.config import Exclusions
from study.exclusions import SessionFacts, min_reading_ms
from study.exclusions import exclusion as exclusion_for

RULES = Exclusions(max_failed_attention_checks=1, min_reading_fraction=0.5)
DONE = SessionFacts("completed", 0, (40_000, 50_000), (45_000, 45_000))


def test_a_clean_completed_submission_is_approved_and_kept() -> None:
    decision = decide("awaiting_review", DONE, RULES)
    assert (decision.action, decision.review, decision.exclusion) == ("approve", "approved", "")


def test_two_failed_checks_reject_with_category_and_long_message() -> None:
    decision = decide("awaiting_review", SessionFacts("completed", 2), RULES)
    assert (decision.action, decision.category) == ("reject", REJECTION_CATEGORY)
    assert decision.exclusion == "failed_attention_checks"
    assert len(decision.message) >= 100
    assert "2 of the study's attention checks" in decision.message


def test_one_failed_check_is_paid_even_when_the_study_excludes_it() -> None:
    strict = Exclusions(max_failed_attention_checks=0)
    decision = decide("awaiting_review", SessionFacts("completed", 1), strict)
    assert (decision.action, decision.exclusion) == ("approve", "failed_attention_checks")


def test_reading_too_fast_excludes_but_never_rejects() -> None:
    fast = SessionFacts("completed", 0, (10_000, 50_000), (45_000, 45_000))
    decision = decide("awaiting_review", fast, RULES)
    assert (decision.action, decision.exclusion) == ("approve", "read_too_fast")


def test_reading_rule_is_off_by_default() -> None:
    fast = SessionFacts("completed", 0, (1, 1), (45_000, 45_000))
    assert exclusion_for(fast, Exclusions()) == ""


@pytest.mark.parametrize("session", ["active", "timed_out"])
def test_unfinished_session_is_asked_to_return_not_rejected(session: str) -> None:
    decision = decide("awaiting_review", SessionFacts(session, 1), RULES)
    assert (decision.action, decision.review, decision.exclusion) == (
        "return",
        "return_requested",
        "incomplete",
    )
    assert decision.message == "Didn't finish the study."


def test_submission_without_a_session_is_asked_to_return() -> None:
    decision = decide("awaiting_review", None, RULES)
    assert (decision.action, decision.exclusion) == ("return", "")
    assert "no answers" in decision.message


@pytest.mark.parametrize("facts", [DONE, SessionFacts("completed", 3), None])
def test_timed_out_submission_is_never_approved_or_rejected(facts: SessionFacts | None) -> None:
    decision = decide("timed_out", facts, RULES)
    assert decision.action == "none"
    assert decision.review == "timed_out"


def test_returned_submission_is_excluded() -> None:
    decision = decide("returned", DONE, RULES)
    assert (decision.action, decision.review, decision.exclusion) == (
        "none",
        "returned",
        "returned",
    )


@pytest.mark.parametrize("status", ["reserved", "active"])
def test_submission_in_progress_waits(status: str) -> None:
    assert decide(status, DONE, RULES).review == ""  # type: ignore[arg-type]


def test_platform_without_submissions_only_marks_exclusions() -> None:
    decision = decide(None, SessionFacts("completed", 2), RULES)
    assert (decision.action, decision.review, decision.exclusion) == (
        "none",
        "checked",
        "failed_attention_checks",
    )


def test_minimum_reading_time_follows_words_per_minute() -> None:
    assert min_reading_ms(250, 400) == 37_500
    with pytest.raises(ValueError, match="words_per_minute must be positive, got 0"):
        min_reading_ms(250, 0)


def test_rejected_on_the_platform_itself_is_excluded() -> None:
    assert decide("rejected", DONE, RULES).exclusion == "rejected"
    assert decide("approved", DONE, RULES).exclusion == ""
