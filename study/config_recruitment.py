"""The study file's `[recruitment]` section: where participants come from, what they are paid
and who may take part.

Money is in the minor units of the platform workspace's currency (pence or cents), the way
Prolific's API takes it: `reward = 250` with `currency = "GBP"` is £2.50. `reward_gbp` (pounds)
is the older spelling and still read, as GBP. On Prolific the reward is checked against
Prolific's minimum hourly pay (£6 / $8 an hour); the preflight also shows the recommended rate
(£9 / $12 an hour).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from study.config_base import _Frozen

Platform = Literal["simulated", "link", "prolific"]
Currency = Literal["GBP", "USD"]
# Prolific's minimum and recommended hourly pay, in minor units per hour.
MINIMUM_HOURLY = {"GBP": 600, "USD": 800}
RECOMMENDED_HOURLY = {"GBP": 900, "USD": 1200}
SYMBOLS = {"GBP": "£", "USD": "$"}
DEFAULT_REWARD = 200


def money(minor: int | float, currency: str) -> str:
    """An amount in minor units as text: `money(250, "GBP") == "£2.50"`."""
    return f"{SYMBOLS.get(currency, currency + ' ')}{minor / 100:,.2f}"


def hourly(reward: int, minutes: int) -> float:
    """The hourly pay (minor units an hour) of `reward` for `minutes` of work."""
    return reward * 60 / minutes


def prolific_minimum_allowed_minutes(estimated_minutes: int) -> int:
    """The shortest time limit Prolific gives a study of `estimated_minutes`:
    2 + X + 2·sqrt(X) minutes (Prolific's help, "Timed-out submissions")."""
    return math.ceil(2 + estimated_minutes + 2 * math.sqrt(estimated_minutes))


class RangeFilter(_Frozen):
    lower: float | None = None
    upper: float | None = None


class CustomFilter(_Frozen):
    """One of Prolific's filters as its API takes it (ids from `GET /api/v1/filters/`):
    a select filter with `selected_values`, or a range filter with `selected_range`."""

    filter_id: Annotated[str, Field(min_length=1)]
    selected_values: tuple[str, ...] = ()
    selected_range: RangeFilter | None = None

    @model_validator(mode="after")
    def _check_one(self) -> CustomFilter:
        if bool(self.selected_values) == (self.selected_range is not None):
            raise ValueError(
                f"filter {self.filter_id!r} needs either selected_values (a select filter) or "
                "selected_range (a range filter), not both or neither"
            )
        return self


class Filters(_Frozen):
    """Who may take part. Country and language values are Prolific's choice ids, not names
    (look them up with `GET /api/v1/filters/`; public clients of the API use country "1" for
    the United States and language "19" for English). They are sent as Prolific's filters
    `current-country-of-residence`, `fluent-languages`, `approval_rate` (a range),
    `custom_allowlist` / `custom_blocklist` (Prolific ids) and `previous_studies_blocklist`
    (study ids of the same workspace); `block_earlier_waves` keeps everyone who took part in an
    earlier wave of this study out, so nobody rates twice across waves."""

    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_approval_rate: Annotated[float, Field(ge=0, le=100)] = 0
    allow_participants: tuple[str, ...] = ()
    block_participants: tuple[str, ...] = ()
    block_studies: tuple[str, ...] = ()
    block_earlier_waves: bool = True
    custom: tuple[CustomFilter, ...] = ()


class Recruitment(_Frozen):
    """Where participants come from. `survey_url` is the participant web app's address that
    the platform sends people to (required for `prolific` and `link`); the platform's own ids
    are appended as URL parameters. `completion_code` is shown to participants at the end
    (empty: derived from the study's name and seed); the Prolific API token is read from the
    environment variable named by `token_env`, never from the study file."""

    platform: Platform = "simulated"
    reward: Annotated[int, Field(ge=0)] | None = None
    currency: Currency = "GBP"
    reward_gbp: Annotated[float, Field(ge=0)] | None = None
    estimated_minutes: Annotated[int, Field(ge=1)] = 12
    survey_url: str = ""
    title: str = ""
    description: str = ""
    completion_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{0,32}$")] = ""
    places: Annotated[int, Field(ge=0)] = 0
    token_env: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")] = "PROLIFIC_API_TOKEN"
    auto_approve: bool = False
    fee_rate: Annotated[float, Field(ge=0, le=1)] = 0.333
    filters: Filters = Filters()

    @property
    def reward_minor(self) -> int:
        """The reward per participant in minor units of `currency`."""
        if self.reward is not None:
            return self.reward
        if self.reward_gbp is not None:
            return round(self.reward_gbp * 100)
        return DEFAULT_REWARD

    @model_validator(mode="after")
    def _check(self) -> Recruitment:
        if self.platform in ("prolific", "link") and not self.survey_url.startswith(
            ("https://", "http://")
        ):
            raise ValueError(
                f"recruitment.platform = {self.platform!r} needs recruitment.survey_url, the "
                'address of the survey app (for example "https://survey.example.org/s")'
            )
        if self.reward_gbp is not None and self.reward is not None:
            raise ValueError(
                "recruitment.reward_gbp is the older spelling of recruitment.reward; "
                "keep only reward (in pence or cents)"
            )
        if self.reward_gbp is not None and self.currency != "GBP":
            raise ValueError(
                f"recruitment.reward_gbp is in pounds but recruitment.currency = "
                f"{self.currency!r}; set recruitment.reward in cents instead"
            )
        if self.platform == "prolific":
            check_hourly(self.reward_minor, self.estimated_minutes, self.currency, "recruitment")
        return self


def check_hourly(reward: int, minutes: int, currency: str, key: str) -> None:
    """Refuse a reward below Prolific's minimum hourly pay, naming the reward that meets it."""
    minimum = MINIMUM_HOURLY[currency]
    if hourly(reward, minutes) < minimum:
        needed = math.ceil(minimum * minutes / 60)
        good = math.ceil(RECOMMENDED_HOURLY[currency] * minutes / 60)
        raise ValueError(
            f"{key}.reward = {reward} ({money(reward, currency)} for {minutes} minutes, "
            f"{money(hourly(reward, minutes), currency)} an hour) is below Prolific's minimum of "
            f"{money(minimum, currency)} an hour; set {key}.reward to at least {needed} "
            f"({money(good, currency)}, {good}, meets the recommended "
            f"{money(RECOMMENDED_HOURLY[currency], currency)} an hour)"
        )


def check_time_limit(recruitment: Recruitment, reservation_minutes: int) -> None:
    """On Prolific the survey's reservation is the study's time limit
    (`maximum_allowed_time`), so both clocks agree; it must be at least Prolific's own
    minimum for the estimated time."""
    if recruitment.platform != "prolific":
        return
    shortest = prolific_minimum_allowed_minutes(recruitment.estimated_minutes)
    if reservation_minutes < shortest:
        raise ValueError(
            f"participants.reservation_minutes = {reservation_minutes} is Prolific's time limit "
            f"(maximum_allowed_time) and must be at least {shortest} minutes for "
            f"recruitment.estimated_minutes = {recruitment.estimated_minutes}; raise it"
        )


def filter_payload(filters: Filters, earlier_studies: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The `filters` list of a Prolific study (always sent, empty when nobody is filtered)."""
    out: list[dict[str, Any]] = []
    if filters.countries:
        out.append(
            {"filter_id": "current-country-of-residence", "selected_values": filters.countries}
        )
    if filters.languages:
        out.append({"filter_id": "fluent-languages", "selected_values": filters.languages})
    if filters.min_approval_rate:
        out.append(
            {
                "filter_id": "approval_rate",
                "selected_range": {"lower": filters.min_approval_rate, "upper": 100},
            }
        )
    if filters.allow_participants:
        out.append({"filter_id": "custom_allowlist", "selected_values": filters.allow_participants})
    if filters.block_participants:
        out.append({"filter_id": "custom_blocklist", "selected_values": filters.block_participants})
    blocked = tuple(dict.fromkeys(filters.block_studies + earlier_studies))
    if blocked:
        out.append({"filter_id": "previous_studies_blocklist", "selected_values": blocked})
    for custom in filters.custom:
        item: dict[str, Any] = {"filter_id": custom.filter_id}
        if custom.selected_range is not None:
            item["selected_range"] = custom.selected_range.model_dump(exclude_none=True)
        else:
            item["selected_values"] = custom.selected_values
        out.append(item)
    return [{k: list(v) if isinstance(v, tuple) else v for k, v in f.items()} for f in out]
