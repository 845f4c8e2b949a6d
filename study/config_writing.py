"""The study file's `[human_writing]` section: what human writers see on their writing task and,
on Prolific, the writing study that recruits them (its own reward, time limit, completion code
and filters), their pay and the prize for the most persuasive human argument.

Money is in minor units of `recruitment.currency`, as `recruitment.reward`. `pay` is a bonus per
approved text and `prize` a bonus to the writer of the most persuasive human argument, both paid
by submission id through Prolific's bulk bonus API (`persuasion field bonuses`, `persuasion
field prize`); the writing study's `reward` is paid when its submission is approved.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from study.config_base import _Frozen
from study.config_recruitment import (
    Filters,
    Recruitment,
    check_hourly,
    prolific_minimum_allowed_minutes,
)

HUMAN_INSTRUCTIONS = (
    "Write a persuasive argument in favour of the claim below, for a reader who has not made "
    "up their mind. Write in your own words, without tools or AI assistants."
)


class HumanWriting(_Frozen):
    """What human writers see on their writing task; a writer's claim on a task lapses after
    `claim_minutes` without a submission and the task returns to the pool (on Prolific it is
    also the writing study's time limit, `maximum_allowed_time`). `survey_url` is where the
    writing study sends writers (default: `recruitment.survey_url` with `/start/` replaced by
    `/write/start/`); `filters` default to the recruitment's; `places` 0 means one per open
    writing task."""

    instructions: str = HUMAN_INSTRUCTIONS
    bonus: str = ""
    claim_minutes: Annotated[int, Field(ge=5, le=1440)] = 90
    reward: Annotated[int, Field(ge=0)] | None = None
    estimated_minutes: Annotated[int, Field(ge=1)] = 30
    pay: Annotated[int, Field(ge=0)] = 0
    prize: Annotated[int, Field(ge=0)] = 0
    title: str = ""
    description: str = ""
    survey_url: str = ""
    completion_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{0,32}$")] = ""
    places: Annotated[int, Field(ge=0)] = 0
    filters: Filters | None = None

    def writing_url(self, recruitment: Recruitment) -> str:
        """The address the writing study sends writers to ('' when it cannot be derived)."""
        if self.survey_url:
            return self.survey_url
        if "/start/" in recruitment.survey_url:
            return recruitment.survey_url.replace("/start/", "/write/start/", 1)
        return ""


def check_writing(writing: HumanWriting, recruitment: Recruitment) -> None:
    """On Prolific, a writing study's reward meets Prolific's minimum hourly pay and its time
    limit (`claim_minutes`) is at least Prolific's shortest for `estimated_minutes`."""
    if recruitment.platform != "prolific" or writing.reward is None:
        return
    check_hourly(writing.reward, writing.estimated_minutes, recruitment.currency, "human_writing")
    shortest = prolific_minimum_allowed_minutes(writing.estimated_minutes)
    if writing.claim_minutes < shortest:
        raise ValueError(
            f"human_writing.claim_minutes = {writing.claim_minutes} is the writing study's time "
            f"limit (maximum_allowed_time) and must be at least {shortest} minutes for "
            f"human_writing.estimated_minutes = {writing.estimated_minutes}; raise it"
        )
    if writing.survey_url and not writing.survey_url.startswith(("https://", "http://")):
        raise ValueError(
            f"human_writing.survey_url = {writing.survey_url!r} is not an address; use the "
            'writing link of the survey app, for example "https://survey.example.org/write/'
            'start/my-study"'
        )
