"""Follow-up fixtures: the Prolific stand-in and its adapter (shared with the survey tests)."""

from tests.surveys.conftest import platform, standin

__all__ = ["platform", "standin"]
