"""The study file's `[survey]` section: what participants read and answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from study.config_base import _Frozen

SCALE_LABELS: tuple[str, ...] = (
    "Strongly oppose",
    "Oppose",
    "Somewhat oppose",
    "Neither oppose nor support",
    "Somewhat support",
    "Support",
    "Strongly support",
)


class Question(_Frozen):
    """An optional demographics question: a key, a label and its choices (participants may
    always leave it blank)."""

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    label: str
    choices: tuple[str, ...]


class AttentionCheck(_Frozen):
    """An instructed-response item: the question itself says which choice to pick, so a
    careful participant cannot fail it (fair under common recruitment-platform policies)."""

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    prompt: str
    choices: tuple[str, ...] = SCALE_LABELS
    answer: str

    @model_validator(mode="after")
    def _check_answer(self) -> AttentionCheck:
        if self.answer not in self.choices:
            raise ValueError(
                f"attention check {self.key!r}: answer {self.answer!r} is not one of its "
                f"choices ({', '.join(self.choices)})"
            )
        return self


DEFAULT_CHECKS = (
    AttentionCheck(
        key="attention-1",
        prompt="This question checks that you read each question. Whatever your view, "
        "please select \u201cSomewhat support\u201d below.",
        answer="Somewhat support",
    ),
    AttentionCheck(
        key="attention-2",
        prompt="To show that you are reading carefully, please select \u201cStrongly "
        "oppose\u201d below.",
        answer="Strongly oppose",
    ),
)


class Survey(_Frozen):
    """What participants read: who runs the study (`researcher`, `contact`,
    `ethics_reference`), consent and debrief text, optional demographics, attention checks, the
    minimum reading time of an argument and where to send them when done. The debrief page
    adds, for each argument the participant read, whether a person or an AI model wrote it,
    whether its strategy allowed inventing facts, and for a control item the true fact it
    argued against (`surveys.disclosure`).

    The minimum reading time of an argument is max(min_reading_seconds, words * 60 /
    participants.words_per_minute). The completion code is `recruitment.completion_code` (or
    derived, see surveys/platforms/base.py); `completion_url` (may contain `{code}`) is where the
    last page links to, by default Prolific's completion address on Prolific waves.

    A participant's places are held for `hold_minutes` and renewed while they are active (each
    page, and a heartbeat from the open page), never past the session's
    `participants.reservation_minutes`. Sessions that have not answered anything yet may hold
    at most `idle_share` of a wave's places; a new arrival beyond that frees the oldest."""

    title: str = "A short study about opinions"
    # the texts a review board asks for: who runs the study, how to reach them, the ethics
    # approval, the consent text (`{minutes}` becomes recruitment.estimated_minutes) and the
    # debrief (followed on the page by what each argument the participant read was)
    researcher: str = ""
    contact: str = ""
    ethics_reference: str = ""
    consent_text: str = (
        "You are invited to take part in a research study about opinions on current issues. "
        "You will read a few short statements and arguments and say how much you support each "
        "statement. It takes about {minutes} minutes. Your answers are stored without your "
        "name; you may stop at any time by closing this page."
    )
    debrief_text: str = (
        "Thank you. The arguments you read were written for this study by people or by AI "
        "language models. They were not fact-checked and may contain false or misleading "
        "statements; please do not rely on them."
    )
    demographics: tuple[Question, ...] = ()
    attention_checks: tuple[AttentionCheck, ...] = DEFAULT_CHECKS
    min_reading_seconds: Annotated[float, Field(ge=0, le=600)] = 0.0
    completion_url: str = ""
    hold_minutes: Annotated[int, Field(ge=1, le=240)] = 5
    idle_share: Annotated[float, Field(gt=0, le=1)] = 0.25
