"""`persuasion field …`: open, sync, close a wave of fieldwork and show its status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.table import Table

from cli.errors import clean_errors, console, fail
from cli.options import DB_OPTION
from study import LoadedStudy

app = typer.Typer(
    help="Fieldwork: recruit participants on the study's platform and review submissions.",
    no_args_is_help=True,
)
T = TypeVar("T")
STUDY_ARG = typer.Argument(..., help="A stored study's name or a study file (.toml).")

if TYPE_CHECKING:  # imported for real inside the commands, keeping `--help` fast
    from fieldwork import WaveStatus
    from study.store import Store


def _run(db: str | None, study: str, step: Callable[..., T]) -> T:
    from fieldwork.platforms import PlatformError
    from study import load_and_register
    from study.store import open_store

    with open_store(db, create=False) as store:
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
    yes: bool = typer.Option(False, "--yes", help="Publish without asking (for scripts)."),
    pilot: int = typer.Option(
        0, "--pilot", min=0, help="Open a pilot wave of N places, kept apart from the analysis."
    ),
    allow_missing_humans: bool = typer.Option(
        False, "--allow-missing-humans", help="Open although human writer slots are empty."
    ),
    writing: bool = typer.Option(
        False, "--writing", help="Open the writing wave: recruit human writers (Prolific)."
    ),
    without_preregistration: bool = typer.Option(
        False,
        "--without-preregistration",
        help="Open a wave on a real platform without a pre-registration (logged; the report "
        "says so).",
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Open a wave: plan the participants still needed, show the preflight (places, reward,
    cost, hourly pay, filters, time limit, the arguments shown, the survey address checked
    live), ask for confirmation, then create the study on the platform and publish it (safe to
    run again: it resumes or does nothing). Refuses while an argument to be shown is an
    offline placeholder, flagged or unreviewed, or a human writer slot is empty, and (on `link`
    or `prolific`) until `persuasion preregister STUDY.toml` has locked the analysis plan.
    With --writing it opens the writing wave instead: a Prolific study of its own that sends
    human writers to the writing tasks, shown in a preflight and confirmed the same way.

    Example: persuasion field open my-study.toml --pilot 5
    """
    if writing:
        _run(db, study, lambda s, ld: _open_writing(s, ld, yes))
        return
    from fieldwork import launch_preflight, open_fieldwork, planned_places, require_preregistration

    def step(store: Store, loaded: LoadedStudy) -> WaveStatus:
        override = without_preregistration
        if not pilot:
            require_preregistration(store, loaded, override=override)
        places = planned_places(store, loaded, pilot)
        pf = launch_preflight(store, loaded, places, allow_missing_humans=allow_missing_humans)
        if pf is not None:
            for line in pf.lines:
                console.print(line, markup=False)
            if pf.blockers:
                raise pf.refusal()
            what = f"a pilot of {pilot} places" if pilot else f"{places} places"
            if not yes and not typer.confirm(f"Publish {what} on {pf.platform}?", default=False):
                raise fail("not confirmed, nothing was published; answer y, or pass --yes")
        return open_fieldwork(
            store,
            loaded,
            pilot=pilot,
            allow_missing_humans=allow_missing_humans,
            without_preregistration=override,
        )

    console.print(_summary(_run(db, study, step)))


def _confirm(lines: tuple[str, ...] | list[str], question: str, yes: bool, what: str) -> None:
    for line in lines:
        console.print(line, markup=False)
    if not yes and not typer.confirm(question, default=False):
        raise fail(f"not confirmed, nothing was {what}; answer y, or pass --yes")


def _open_writing(store: Store, loaded: LoadedStudy, yes: bool) -> None:
    from fieldwork import open_writing, platform_for, writing_preflight, writing_status

    now = writing_status(store, loaded)
    if now.status == "open" and now.platform_ref:  # published already: nothing to ask
        status = open_writing(store, loaded, platform_for(loaded), now.places)
        console.print(status.summary(), markup=False)
        return
    pf = writing_preflight(store, loaded)
    for line in pf.lines if pf.blockers else ():
        console.print(line, markup=False)
    if pf.blockers:
        raise pf.refusal()
    _confirm(pf.lines, f"Publish {pf.places} writing places on prolific?", yes, "published")
    status = open_writing(store, loaded, platform_for(loaded), pf.places)
    console.print(status.summary(), markup=False)


@app.command()
@clean_errors
def sync(study: str = STUDY_ARG, db: str | None = DB_OPTION) -> None:
    """Pull submissions, apply the quality rules (approve, reject, ask to return), release
    expired reservations, and close the wave when its quota is met.

    Example: persuasion field sync my-study
    """
    from fieldwork import sync_fieldwork, writing_status

    status, writing = _run(db, study, lambda s, ld: (sync_fieldwork(s, ld), writing_status(s, ld)))
    if writing.wave:
        console.print(writing.summary(), markup=False)
    console.print(_summary(status) + f"; {status.released} reservations released")
    for problem in status.problems:
        console.print(f"Problem: {problem}", markup=False)


@app.command()
@clean_errors
def close(
    study: str = STUDY_ARG,
    force: bool = typer.Option(False, "--force", help="Close before the quota is met."),
    writing: bool = typer.Option(False, "--writing", help="Close the writing wave instead."),
    db: str | None = DB_OPTION,
) -> None:
    """Close the open wave and stop recruiting on the platform (with --writing: the writing
    wave; its submissions are still reviewed by later syncs).

    Example: persuasion field close my-study --force
    """
    from fieldwork import close_fieldwork, close_writing, platform_for

    if writing:
        st = _run(db, study, lambda s, ld: close_writing(s, ld, platform_for(ld)))
        console.print(st.summary(), markup=False)
        return
    console.print(_summary(_run(db, study, lambda s, ld: close_fieldwork(s, ld, force=force))))


@app.command()
@clean_errors
def bonuses(
    study: str = STUDY_ARG,
    yes: bool = typer.Option(False, "--yes", help="Pay without asking (for scripts)."),
    db: str | None = DB_OPTION,
) -> None:
    """Pay the bonuses the study owes (participants who finished after the platform's time
    limit get their reward), by submission id through the platform's bulk bonus API: listed
    first, then paid once (a payment is never sent twice, even after a failure).

    Writers from the writing study get `human_writing.pay` for each approved text.

    Example: persuasion field bonuses my-study
    """
    from fieldwork import (
        describe_bonuses,
        owed_bonuses,
        pay_bonuses,
        platform_for,
        unpaid_bonuses,
    )

    def step(store: Store, loaded: LoadedStudy) -> None:
        owed = owed_bonuses(store, loaded)
        pending, _ = unpaid_bonuses(store, loaded.study_id)
        if owed or pending:
            lines = ["Bonuses to pay:", *describe_bonuses(loaded, owed, pending)]
            _confirm(lines, "Pay these bonuses?", yes, "paid")
        run = pay_bonuses(store, loaded, platform_for(loaded), owed)
        console.print(f"{loaded.study.name}: {len(run.paid)} bonuses paid", markup=False)
        for problem in run.problems:
            console.print(f"Problem: {problem}", markup=False)

    _run(db, study, step)


@app.command()
@clean_errors
def prize(
    study: str = STUDY_ARG,
    argument: int | None = typer.Option(
        None, "--argument", help="Pay the prize for this argument id instead."
    ),
    yes: bool = typer.Option(False, "--yes", help="Pay without asking (for scripts)."),
    db: str | None = DB_OPTION,
) -> None:
    """Pay the prize for the most persuasive human argument (`human_writing.prize`): the human
    arguments ranked by mean persuasion over their kept ratings, the winner's writer paid by
    submission id through the bulk bonus API after your confirmation, once.

    Example: persuasion field prize my-study
    """
    from fieldwork import describe_ranking, pay_bonuses, platform_for, prize_choice

    def step(store: Store, loaded: LoadedStudy) -> None:
        owed, ranking = prize_choice(store, loaded, argument)
        _confirm(describe_ranking(loaded, ranking, owed), "Pay this prize?", yes, "paid")
        run = pay_bonuses(store, loaded, platform_for(loaded), [owed])
        console.print(f"{loaded.study.name}: {len(run.paid)} prize paid", markup=False)
        for problem in run.problems:
            console.print(f"Problem: {problem}", markup=False)

    _run(db, study, step)


@app.command()
@clean_errors
def status(study: str = STUDY_ARG, db: str | None = DB_OPTION) -> None:
    """Show the wave's progress: arguments at target, ratings per writer, sessions by state.

    Example: persuasion field status my-study
    """
    from fieldwork import wave_status, writing_status

    st, writing = _run(db, study, lambda s, ld: (wave_status(s, ld), writing_status(s, ld)))
    if writing.wave:
        console.print(writing.summary(), markup=False)
    console.print(_summary(st))
    table = Table("measure", "count")
    for writer, n in sorted(st.ratings_by_writer.items()):
        table.add_row(f"ratings of {writer}", str(n))
    for key, n in sorted(st.sessions.items()):
        table.add_row(f"sessions {key}", str(n))
    if table.row_count:
        console.print(table)
