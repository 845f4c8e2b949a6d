"""Turning domain errors into one clean `Error: …` line and exit code 1, at the edge."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from claims import ClaimSetError
from study.config import StudyFileError
from study.store import NotFoundError, StoreError

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
console = Console(highlight=False, soft_wrap=True)

DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    ClaimSetError,
    StudyFileError,
    StoreError,
    NotFoundError,
    ValueError,
    FileExistsError,
    FileNotFoundError,
    KeyError,
    PermissionError,
)


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
        except DOMAIN_ERRORS as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise fail(str(message)) from None

    return wrapper
