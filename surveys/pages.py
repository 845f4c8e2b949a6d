"""The survey as data: the page sequence, each page's fields with their bounds, and one
validator for all forms (in the spirit of oTree's `page_sequence` and typed fields).

A session's `step` indexes into its sequence. Every form carries `step` and `csrf`; a form for
any other step than the session's current one is refused, so going back or replaying a request
can never change a stored answer (the before-rating in particular is locked once submitted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from common import PersuasionError, UnknownName
from study import SCALE_LABELS, AttentionCheck, Study

PageKind = Literal[
    "consent", "demographics", "before", "argument", "after", "attention", "debrief", "done"
]
SCALE = tuple(range(1, len(SCALE_LABELS) + 1))
MAX_COUNTER = 100_000_000
COMMON = frozenset({"step", "csrf"})


class FormError(PersuasionError, ValueError):
    """A submitted form that is refused; `code` is stable, `message` says what to do."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def ascii_int(raw: str | None, max_digits: int = 12) -> int | None:
    """A form value as a whole number written in ASCII digits only, else None (`str.isdigit`
    alone lets through "²" or "٣", which `int()` then refuses or reads unexpectedly)."""
    if not raw or len(raw) > max_digits or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


@dataclass(frozen=True)
class Field:
    """One form field: an integer in [low, high], or one of `choices` ('' allowed if optional)."""

    name: str
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()
    optional: bool = False

    def parse(self, raw: str | None) -> int | str | None:
        if raw is None or raw == "":
            if self.optional:
                return 0 if not self.choices else ""
            raise FormError(f"missing_{self.name}", f"Please answer: {self.name} is missing.")
        if self.choices:
            if raw not in self.choices:
                raise FormError(
                    f"invalid_{self.name}", f"{self.name} must be one of the listed choices."
                )
            return raw
        value = ascii_int(raw)
        if value is None or not self.low <= value <= self.high:
            raise FormError(
                f"invalid_{self.name}",
                f"{self.name} must be a whole number from {self.low} to {self.high}.",
            )
        return value


RATING = Field("rating", 1, len(SCALE))
SIGNALS = (
    Field("focus_losses", 0, MAX_COUNTER, optional=True),
    Field("pastes", 0, MAX_COUNTER, optional=True),
)


@dataclass(frozen=True)
class Step:
    """One page of a session: its kind, the item position (0-based) or attention check key."""

    kind: PageKind
    item: int = -1
    check: str = ""


def page_sequence(items: int, checks: tuple[str, ...], demographics: bool) -> tuple[Step, ...]:
    """Consent, demographics (if any questions), then for each item before → argument → after,
    with attention checks spread over the gaps between items (any left over before the
    debrief), then debrief and the completion page."""
    steps: list[Step] = [Step("consent")]
    if demographics:
        steps.append(Step("demographics"))
    gaps = _check_slots(items, len(checks))
    pending = list(checks)
    for i in range(items):
        steps += [Step("before", i), Step("argument", i), Step("after", i)]
        for _ in range(gaps.get(i, 0)):
            steps.append(Step("attention", check=pending.pop(0)))
    steps += [Step("attention", check=c) for c in pending]
    steps += [Step("debrief"), Step("done")]
    return tuple(steps)


def _check_slots(items: int, n_checks: int) -> dict[int, int]:
    """How many checks follow item i: evenly over the k-1 gaps between items."""
    gaps = max(items - 1, 0)
    slots: dict[int, int] = {}
    for j in range(min(n_checks, gaps)):
        after = math.floor((j + 1) * items / (min(n_checks, gaps) + 1)) - 1
        after = min(max(after, 0), gaps - 1)
        slots[after] = slots.get(after, 0) + 1
    return slots


def sequence_for(study: Study, items: int) -> tuple[Step, ...]:
    return page_sequence(
        items,
        tuple(c.key for c in study.survey.attention_checks),
        bool(study.survey.demographics),
    )


def fields_for(step: Step, study: Study) -> tuple[Field, ...]:
    """The fields a step's form accepts (besides step and csrf)."""
    if step.kind in ("before", "after"):
        return (RATING,)
    if step.kind == "argument":
        return SIGNALS
    if step.kind == "attention":
        return (Field("choice", choices=check_by_key(study, step.check).choices),)
    if step.kind == "demographics":
        return tuple(
            Field(q.key, choices=q.choices, optional=True) for q in study.survey.demographics
        )
    return ()


def validate(step: Step, study: Study, form: Mapping[str, str]) -> dict[str, int | str | None]:
    """The step's answers from a submitted form; refuses unknown or repeated fields and any
    value outside its field's bounds."""
    fields = fields_for(step, study)
    allowed = COMMON | {f.name for f in fields}
    unknown = sorted(set(form) - allowed)
    if unknown:
        raise FormError(
            "unexpected_field",
            f"This page does not accept the field(s) {', '.join(unknown)}; reload the page.",
        )
    return {f.name: f.parse(form.get(f.name)) for f in fields}


def check_by_key(study: Study, key: str) -> AttentionCheck:
    for check in study.survey.attention_checks:
        if check.key == key:
            return check
    raise UnknownName(f"no attention check {key!r} in study {study.name!r}")
