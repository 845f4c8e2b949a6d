"""The study file's `[follow_up]` section: a follow-up wave that measures how long persuasion
lasts.

`after_days` after a wave closed, `persuasion serve` opens its follow-up: the participants of
that wave (and only they) are asked again how much they support the claims they rated, with
no argument shown. On Prolific that is a new study whose custom allowlist admits only the
original wave's participants; on a link study each participant gets a personal link that the
researcher sends (`persuasion field follow-up STUDY --links OUT.csv`). The follow-up stays
open `open_days`, then closes. `reward` (minor units of `recruitment.currency`, default: the
recommended hourly pay for `estimated_minutes`) is what Prolific pays for the follow-up.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, field_validator

from study.config_base import _Frozen
from study.config_recruitment import RECOMMENDED_HOURLY

MAX_AFTER_DAYS = 730


class FollowUp(_Frozen):
    """When a wave's follow-up opens and how long it stays open (see the module docstring)."""

    after_days: int
    open_days: Annotated[int, Field(ge=1, le=90)] = 7
    reward: Annotated[int, Field(ge=0)] | None = None
    estimated_minutes: Annotated[int, Field(ge=1, le=60)] = 3
    title: str = ""
    description: str = ""

    @field_validator("after_days")
    @classmethod
    def _check_days(cls, value: int) -> int:
        if not 1 <= value <= MAX_AFTER_DAYS:
            raise ValueError(
                f"{value} days is outside 1 to {MAX_AFTER_DAYS}: the follow-up opens this many "
                "days after its wave closed; use a whole number of days (for example 30), or "
                "remove [follow_up] for no follow-up"
            )
        return value

    def reward_minor(self, currency: str) -> int:
        """The follow-up's reward per participant, in minor units of `currency`."""
        if self.reward is not None:
            return self.reward
        return math.ceil(RECOMMENDED_HOURLY[currency] * self.estimated_minutes / 60)
