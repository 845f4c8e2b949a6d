"""Errors of argument generation. Each message names the value and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from common import PersuasionError

if TYPE_CHECKING:
    from arguments.generate import GenerationSummary
    from arguments.types import ProviderError


class GenerationError(PersuasionError, ValueError):
    """A study cannot be generated as asked (unknown model or strategy, budget, missing key)."""


class BudgetExceeded(GenerationError):
    """The cost estimate, or spent + in flight during a run, is above the study's budget."""


class RunStopped(GenerationError):
    """A run stopped before its plan was done (the budget, a provider error that no retry
    fixes, the lease taken over); what it stored is kept and `summary` says what it did."""

    def __init__(self, message: str, summary: GenerationSummary) -> None:
        super().__init__(message)
        self.summary = summary


def fatal(error: ProviderError) -> GenerationError | None:
    """The run-stopping form of a provider error that names its fix (a rejected key, an
    unknown model, an API that cannot be reached), or None for a per-request failure."""
    if not error.fix:
        return None
    return GenerationError(f"{error}; {error.fix}")


def describe(error: ProviderError) -> GenerationError:
    """Any provider error outside a single request (token counts, batch calls) as one line."""
    return fatal(error) or GenerationError(
        f"the model API failed: {error}; run the same command again later "
        "(stored arguments are kept)"
    )
