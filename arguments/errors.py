"""Errors of argument generation. Each message names the value and the fix."""

from __future__ import annotations

from common import PersuasionError


class GenerationError(PersuasionError, ValueError):
    """A study cannot be generated as asked (unknown model or strategy, budget, missing key)."""


class BudgetExceeded(GenerationError):
    """The cost estimate is above the study's budget."""
