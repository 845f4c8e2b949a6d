"""Errors of the analysis: the data cannot support what was asked (no ratings left after the
filters, a single writer, a model that does not converge) or an option is not allowed."""

from __future__ import annotations

from common import PersuasionError


class AnalysisError(PersuasionError, ValueError):
    """The analysis cannot be run as asked; the message names the value and the fix."""
