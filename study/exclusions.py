"""The one exclusion rule set: which ratings enter the analysis, why the others do not, and the
one minimum reading time of an argument.

The survey app (enforcing the reading time, marking a participant who failed too many
attention checks), the quality rules of fieldwork (the exclusion recorded on a session at
review) and the tidy ratings table of the analysis all call these functions, so the three can
never disagree.

Reasons (one vocabulary, stored in `survey_session.exclusion` and in the `exclusion` column of
every export):
- `failed_attention_checks`: the participant failed more than
  `exclusions.max_failed_attention_checks` attention checks;
- `read_too_fast`: the participant read an argument in less than
  `exclusions.min_reading_fraction` of its minimum reading time (only when the fraction is above
  0 and the reading time was recorded);
- `incomplete`: the rating has no after-rating, or its session did not complete;
- `returned`, `timed_out` and the platform's own review (e.g. `rejected`), recorded on the
  session by the quality rules;
- `conversation_failed` (one item, not the session): the model's reply failed after retries
  (or the budget ran out) mid-conversation; the conversation ended politely and the
  participant went on with their place and pay kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from common import UsageError
from study.config import Exclusions, Study

FAILED_ATTENTION = "failed_attention_checks"
READ_TOO_FAST = "read_too_fast"
INCOMPLETE = "incomplete"
RETURNED = "returned"
TIMED_OUT = "timed_out"
CONVERSATION_FAILED = "conversation_failed"
REASONS = (FAILED_ATTENTION, READ_TOO_FAST, INCOMPLETE, RETURNED, TIMED_OUT, CONVERSATION_FAILED)


def min_reading_ms(words: int, words_per_minute: int, floor_seconds: float = 0.0) -> int:
    """The minimum reading time of an argument of `words` words, in whole milliseconds:
    `max(floor_seconds, words × 60 / words_per_minute)`, rounded up (so comparing a whole
    number of milliseconds with it is comparing with the exact value)."""
    if words_per_minute <= 0:
        raise UsageError(f"words_per_minute must be positive, got {words_per_minute}")
    return math.ceil(max(floor_seconds * 1000, max(words, 0) * 60_000 / words_per_minute))


def argument_min_reading_ms(text: str, study: Study) -> int:
    """The minimum reading time of an argument's `text` under the study's settings
    (`participants.words_per_minute`, `survey.min_reading_seconds`)."""
    return min_reading_ms(
        len(text.split()), study.participants.words_per_minute, study.survey.min_reading_seconds
    )


@dataclass(frozen=True)
class SessionFacts:
    """What the store knows about one survey session: its status, failed attention checks,
    the reading time and the minimum reading time of each argument read, and the exclusion
    already recorded on it (by the quality rules; '' for none)."""

    status: str
    failed_checks: int = 0
    reading_ms: tuple[int | None, ...] = ()
    min_reading_ms: tuple[int, ...] = ()
    recorded: str = ""

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def exclusion(
    facts: SessionFacts, rules: Exclusions, rated: bool = True, conversation: str = ""
) -> str:
    """Why the ratings of the session described by `facts` are excluded ('' keeps them); with
    `rated` False, the rating at hand has no after-rating; `conversation` is the status of the
    rating's conversation ('' for a static item). First match wins: the exclusion recorded on
    the session, `failed_attention_checks`, `conversation_failed`, `read_too_fast`,
    `incomplete`."""
    if facts.recorded:
        return facts.recorded
    if attention_failed(facts.failed_checks, rules):
        return FAILED_ATTENTION
    if conversation == "failed":
        return CONVERSATION_FAILED
    if rules.min_reading_fraction > 0:
        for read, minimum in zip(facts.reading_ms, facts.min_reading_ms, strict=False):
            if read is not None and read < rules.min_reading_fraction * minimum:
                return READ_TOO_FAST
    if not (facts.completed and rated):
        return INCOMPLETE
    return ""


def attention_failed(failed_checks: int, rules: Exclusions) -> bool:
    """Whether `failed_checks` failed attention checks exclude a participant's ratings."""
    return failed_checks > rules.max_failed_attention_checks
