"""Plain links: researchers hand out the survey address themselves (a class, a mailing list,
a panel of their own). Nothing to publish or pay, so no submissions to review; the quality
rules still mark exclusions in the store."""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.platforms.base import PublishRequest, RecruitmentPlatform
from study import Recruitment


class LinkPlatform(RecruitmentPlatform):
    name = "link"

    @classmethod
    def from_settings(cls, recruitment: Recruitment, env: Mapping[str, str]) -> LinkPlatform:
        return cls()

    def create(self, request: PublishRequest) -> str:
        """The link to hand out (the wave's reference is the link itself)."""
        return request.survey_url
