"""One narrow interface for recruitment platforms, chosen by name like model providers.

A platform creates and publishes a wave (its reference on the platform is kept on the wave
row, so a failed publish is retried with the same draft), lists the wave's
submissions, and approves, rejects or asks to return one submission. Platforms without their
own submissions (`link`, `simulated`) list none; the quality rules then only mark exclusions.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any, Literal, get_args

from common import PersuasionError, UsageError
from study import Recruitment, Study
from study.store import Store

SubmissionStatus = Literal[
    "reserved",
    "active",
    "awaiting_review",
    "approved",
    "rejected",
    "returned",
    "timed_out",
    "screened_out",
]
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)

PLATFORMS: dict[str, str] = {
    "prolific": "fieldwork.platforms.prolific:ProlificPlatform",
    "link": "fieldwork.platforms.link:LinkPlatform",
    "simulated": "fieldwork.platforms.simulated:SimulatedPlatform",
}


class PlatformError(PersuasionError):
    """The recruitment platform refused a request or could not be reached."""


class UncertainOutcome(PlatformError):
    """A request that is not safe to repeat failed in a way that leaves its outcome unknown
    (a 5xx answer or a lost connection): the platform may or may not have acted on it."""


@dataclass(frozen=True)
class Submission:
    """One participant's submission on the platform. `id` is the platform's session id (what
    the survey app stores in `survey_session.platform_session`); `participant_id` is the raw
    platform id and must never be written to the store or to exports."""

    id: str
    participant_id: str
    status: SubmissionStatus
    started_at: datetime | None = None
    completed_at: datetime | None = None
    study_code: str = ""
    return_requested: bool = False


@dataclass(frozen=True)
class PublishRequest:
    """What a platform needs to recruit one wave. `reward` is in minor units of `currency`;
    `maximum_allowed_minutes` is the platform's time limit (the survey's reservation);
    `filters` are the platform's own filter objects (always sent, maybe empty); a study
    without attention checks (a writing study) has no `failed_attention_code`."""

    name: str
    internal_name: str
    description: str
    survey_url: str
    places: int
    reward: int
    estimated_minutes: int
    completion_code: str
    failed_attention_code: str
    currency: str = "GBP"
    maximum_allowed_minutes: int = 60
    filters: tuple[dict[str, Any], ...] = ()
    auto_approve: bool = False


@dataclass(frozen=True)
class StudyState:
    """A wave's study as the platform reports it: its status (the platform's own name, e.g.
    Prolific's `ACTIVE`, `PAUSED`, `AWAITING REVIEW`, `COMPLETED`) and its places."""

    id: str
    status: str
    places: int
    internal_name: str = ""

    @property
    def done(self) -> bool:
        """Recruiting is over by itself: every place is filled (awaiting review) or approved."""
        return self.status in ("COMPLETED", "AWAITING REVIEW")

    @property
    def paused(self) -> bool:
        return self.status == "PAUSED"


class RecruitmentPlatform(ABC):
    """A recruitment platform. Only `prolific` talks to a service; the others are offline."""

    name: str = ""
    has_submissions: bool = False

    @abstractmethod
    def create(self, request: PublishRequest) -> str:
        """Prepare the wave on the platform (a draft); return its reference there. Platforms
        whose create is not idempotent look for a draft of the same `internal_name` first."""

    def state(self, ref: str) -> StudyState | None:
        """The wave's study as the platform sees it (None: the platform keeps no state)."""
        return None

    def resume(self, ref: str) -> None:
        """Start recruiting again on a study the platform paused by itself."""
        raise PlatformError(f"platform {self.name!r} has no studies to resume")

    def publish(self, ref: str) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Make the prepared wave `ref` available to participants."""

    def close(self, ref: str) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Stop recruiting for the wave `ref`."""

    def add_places(self, ref: str, total: int) -> None:
        """Raise the wave's places on the platform to `total` (platforms only ever increase)."""
        raise PlatformError(f"platform {self.name!r} has no places to add")

    def submissions(self, ref: str) -> list[Submission]:
        """Every submission of the wave `ref` (none for platforms without submissions)."""
        return []

    def approve(self, submission: Submission) -> None:
        raise PlatformError(f"platform {self.name!r} has no submissions to approve")

    def approve_many(self, submissions: list[Submission]) -> None:
        """Approve several submissions (one bulk call where the platform has one)."""
        for submission in submissions:
            self.approve(submission)

    def create_bonuses(self, ref: str, bonuses: list[tuple[str, int]]) -> str:
        """Set up bonuses (submission id, amount in minor units) on the wave `ref`, not yet
        paid; returns the platform's id of the bonus payment."""
        raise PlatformError(f"platform {self.name!r} pays no bonuses")

    def pay_bonuses(self, payment_id: str) -> None:
        """Pay a bonus payment set up by `create_bonuses` (send once: paying is not
        idempotent on Prolific)."""
        raise PlatformError(f"platform {self.name!r} pays no bonuses")

    def reject(self, submission: Submission, message: str, category: str) -> None:
        raise PlatformError(f"platform {self.name!r} has no submissions to reject")

    def request_return(self, submission: Submission, reasons: list[str]) -> None:
        raise PlatformError(f"platform {self.name!r} has no submissions to return")

    def collect_inline(self, store: Store, study: Study, study_id: int) -> None:  # noqa: B027
        """Collect answers in-process (only the simulated panel does)."""

    @classmethod
    def from_settings(cls, recruitment: Recruitment, env: Mapping[str, str]) -> RecruitmentPlatform:
        """Build the platform from the study's recruitment settings and the environment."""
        return cls()


def get_platform(
    name: str, recruitment: Recruitment | None = None, env: Mapping[str, str] | None = None
) -> RecruitmentPlatform:
    """The platform called `name`, imported only when chosen, set up from the study's
    recruitment settings; `env` supplies what is read from the environment (the Prolific API
    token and URL), default `os.environ`."""
    if name not in PLATFORMS:
        raise UsageError(
            f"unknown recruitment platform {name!r}; choose one of: {', '.join(sorted(PLATFORMS))}"
        )
    module_name, _, cls_name = PLATFORMS[name].partition(":")
    cls = getattr(import_module(module_name), cls_name)
    settings = recruitment or Recruitment.model_construct(platform=name)
    platform: RecruitmentPlatform = cls.from_settings(settings, os.environ if env is None else env)
    return platform
