"""`persuasion field …`: open, sync, close a wave of fieldwork and show its status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cli.errors import clean_errors, console, fail
from cli.options import DB_OPTION
from study import LoadedStudy

app = typer.Typer(
    help="Fieldwork: recruit participants on the study's platform and review submissions.",
    no_args_is_help=True,
)
STUDY_ARG = typer.Argument(..., help="A stored study's name or a study file (.toml).")

if TYPE_CHECKING:  # imported for real inside the commands, keeping `--help` fast
    from fieldwork import WaveStatus
    from study.store import Store


def _run(db: str | None, study: str, step: Callable[..., WaveStatus]) -> WaveStatus:
    from fieldwork.platforms import PlatformError
    from study import load_and_register
    from study.store import open_store

    with open_store(db) as store:
        try:
            loaded: LoadedStudy = load_and_register(store, study)
            return step(store, loaded)
        except PlatformError as exc:
            raise fail(str(exc)) from None


def _summary(status: WaveStatus) -> str:
    ref = f" ({status.platform_ref})" if status.platform_ref else ""
    return (
        f"{status.study}: wave {status.wave} {status.status} on {status.platform}{ref}; "
        f"{status.arguments_done} of {status.arguments} arguments have {status.target} "
        f"ratings; {status.ratings} ratings in all"
    )


@app.command("open")
@clean_errors
def open_(
    study: str = STUDY_ARG,
    without_preregistration: bool = typer.Option(
        False,
        "--without-preregistration",
        help="Open the first wave on a real platform without a pre-registration (logged; "
        "the report says so).",
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Open a wave: plan the participants still needed, create the study on the platform and
    publish it (safe to run again: it resumes or does nothing). The first wave on `link` or
    `prolific` needs `persuasion preregister STUDY.toml` first.

    Example: persuasion field open my-study.toml
    """
    from fieldwork import open_fieldwork

    def step(store: Store, loaded: LoadedStudy) -> WaveStatus:
        return open_fieldwork(store, loaded, without_preregistration=without_preregistration)

    console.print(_summary(_run(db, study, step)))


@app.command()
@clean_errors
def sync(study: str = STUDY_ARG, db: str | None = DB_OPTION) -> None:
    """Pull submissions, apply the quality rules (approve, reject, ask to return), release
    expired reservations, and close the wave when its quota is met.

    Example: persuasion field sync my-study
    """
    from fieldwork import sync_fieldwork

    status = _run(db, study, sync_fieldwork)
    console.print(_summary(status) + f"; {status.released} reservations released")
    for problem in status.problems:
        console.print(f"Problem: {problem}", markup=False)


@app.command()
@clean_errors
def close(
    study: str = STUDY_ARG,
    force: bool = typer.Option(False, "--force", help="Close before the quota is met."),
    db: str | None = DB_OPTION,
) -> None:
    """Close the open wave and stop recruiting on the platform.

    Example: persuasion field close my-study --force
    """
    from fieldwork import close_fieldwork

    console.print(_summary(_run(db, study, lambda s, ld: close_fieldwork(s, ld, force=force))))


@app.command()
@clean_errors
def status(study: str = STUDY_ARG, db: str | None = DB_OPTION) -> None:
    """Show the wave's progress: arguments at target, ratings per writer, sessions by state.

    Example: persuasion field status my-study
    """
    from fieldwork import wave_status

    st = _run(db, study, wave_status)
    console.print(_summary(st))
    table = Table("measure", "count")
    for writer, n in sorted(st.ratings_by_writer.items()):
        table.add_row(f"ratings of {writer}", str(n))
    for key, n in sorted(st.sessions.items()):
        table.add_row(f"sessions {key}", str(n))
    if table.row_count:
        console.print(table)
