"""Errors of claim-set files, each pointing at a line."""

from __future__ import annotations

from dataclasses import dataclass

from common import PersuasionError


@dataclass(frozen=True)
class Problem:
    """One problem in a claim-set file, printed as `PATH:LINE: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ClaimSetError(PersuasionError, ValueError):
    """A claim set that does not validate; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
