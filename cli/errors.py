"""Turning the project's errors into one clean `Error: …` line and exit code 1, at the edge.

Only `common.errors.PersuasionError` (everything a user or the environment can cause; every
package's errors derive from it) and operating-system errors (a missing file, no permission,
a full disk) become `Error:` lines. Any other exception is a bug: it keeps its traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from claims import ClaimSetError
from common import PersuasionError

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
console = Console(highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    err_console.print(f"Error: {message}", markup=False)
    return typer.Exit(1)


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so domain errors print as `Error: …` and exit with code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ClaimSetError as exc:
            for problem in exc.problems:
                err_console.print(str(problem), markup=False)
            raise typer.Exit(1) from None
        except PersuasionError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:  # the environment: a missing file, a full disk, no permission
            raise fail(os_message(exc)) from None

    return wrapper


def os_message(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which path, and the fix."""
    what = exc.strerror or str(exc)
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{what}; check the path and its permissions"
