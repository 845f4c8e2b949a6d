"""Simulated participants. On the inline path (a whole simulated study in one process) the
simulated panel answers in-process through `fieldwork.panel_store.run_simulated_panel`; bots
that take the real survey over HTTP are the survey app's concern."""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.panel_store import run_simulated_panel
from fieldwork.platforms.base import PublishRequest, RecruitmentPlatform
from study import Recruitment, Study
from study.store import Store


class SimulatedPlatform(RecruitmentPlatform):
    name = "simulated"

    @classmethod
    def from_settings(cls, recruitment: Recruitment, env: Mapping[str, str]) -> SimulatedPlatform:
        return cls()

    def create(self, request: PublishRequest) -> str:
        return "inline"

    def collect_inline(self, store: Store, study: Study, study_id: int) -> None:
        run_simulated_panel(store, study, study_id)
