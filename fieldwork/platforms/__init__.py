"""Recruitment platforms behind one interface, chosen by name: `prolific` (its API over
httpx), `link` (researchers hand out links) and `simulated` (the simulated panel)."""

from fieldwork.platforms.base import (
    PLATFORMS,
    PlatformError,
    PublishRequest,
    RecruitmentPlatform,
    Submission,
    SubmissionStatus,
    UncertainOutcome,
    get_platform,
)

__all__ = [
    "PLATFORMS",
    "PlatformError",
    "PublishRequest",
    "RecruitmentPlatform",
    "Submission",
    "SubmissionStatus",
    "UncertainOutcome",
    "get_platform",
]
