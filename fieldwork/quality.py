"""The study's quality rules as pure functions: what to do with one submission.

Two separate questions, answered together:
- payment (what the platform is told): approve, reject (with a reason and one of the
  platform's categories), ask to return, or nothing yet;
- data (what the analysis is told): an exclusion reason, or '' to keep the ratings.

They follow recruitment-platform policy (Prolific's attention-check and rejection rules):
- reject only for failing at least two attention checks (`REJECT_AFTER_FAILED_CHECKS`), never
  for speed, reading time or anything else;
- never approve a submission that timed out on the platform;
- a submission whose survey session did not finish (or cannot be found) is asked to return,
  not rejected;
- reading faster than the study's minimum reading time and failing more attention checks than
  `exclusions.max_failed_attention_checks` exclude ratings from the analysis but are paid (the
  exclusion itself is the study's one rule, `study.exclusions.exclusion`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fieldwork.platforms.base import SubmissionStatus
from study import (
    FAILED_ATTENTION,
    INCOMPLETE,
    RETURNED,
    TIMED_OUT,
    Exclusions,
    SessionFacts,
    exclusion,
)

Action = Literal["approve", "reject", "return", "none"]
REJECT_AFTER_FAILED_CHECKS = 2
REJECTION_CATEGORY = "FAILED_CHECK"
REJECTION_MESSAGE = (
    "Thank you for taking part. We cannot accept this submission because it failed {n} of the "
    "study's attention checks, which asked you to choose a stated answer; the study description "
    "explained that submissions failing two attention checks would be rejected."
)
RETURN_UNFINISHED = "Didn't finish the study."
RETURN_NO_DATA = "Encountered technical problems: we received no answers from this submission."


@dataclass(frozen=True)
class Decision:
    """What to tell the platform (`action`, with `message`/`category`), what to record as the
    session's `review`, and the session's `exclusion` reason ('' keeps its ratings)."""

    action: Action
    review: str
    exclusion: str = ""
    message: str = ""
    category: str = ""


def decide(
    status: SubmissionStatus | None, facts: SessionFacts | None, rules: Exclusions
) -> Decision:
    """The decision for one submission in platform `status` (None: a platform without
    submissions, such as plain links) whose survey session is described by `facts` (None: no
    session carries this submission's id)."""
    if status is None:
        if facts is None:
            return Decision("none", "")
        return Decision("none", "checked", exclusion(facts, rules))
    if status in ("reserved", "active"):
        return Decision("none", "")
    if status == "timed_out":
        data = exclusion(facts, rules) if facts else TIMED_OUT
        return Decision("none", "timed_out", data)
    if status == "returned":
        return Decision("none", "returned", RETURNED)
    if status != "awaiting_review":  # reviewed on the platform itself (approved, rejected, …)
        data = exclusion(facts, rules) if facts else ""
        return Decision("none", status, data or ("" if status == "approved" else status))
    return _review(facts, rules)


def _review(facts: SessionFacts | None, rules: Exclusions) -> Decision:
    if facts is None:
        return Decision("return", "return_requested", "", RETURN_NO_DATA)
    if facts.failed_checks >= REJECT_AFTER_FAILED_CHECKS:
        return Decision(
            "reject",
            "rejected",
            FAILED_ATTENTION,
            REJECTION_MESSAGE.format(n=facts.failed_checks),
            REJECTION_CATEGORY,
        )
    if not facts.completed:
        return Decision("return", "return_requested", INCOMPLETE, RETURN_UNFINISHED)
    return Decision("approve", "approved", exclusion(facts, rules))
