"""`persuasion field follow-up`: open a wave's follow-up, show it, or export its links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.errors import clean_errors, console, fail
from cli.options import DB_OPTION

if TYPE_CHECKING:  # imported for real inside the commands, keeping `--help` fast
    from fieldwork import FollowUpStatus
    from study import LoadedStudy
    from study.store import Store

STUDY_ARG = typer.Argument(..., help="A stored study's name or a study file (.toml).")


@clean_errors
def follow_up(
    study: str = STUDY_ARG,
    wave: int = typer.Option(0, "--wave", help="The wave to follow up (default: every due one)."),
    early: bool = typer.Option(False, "--early", help="Open it before follow_up.after_days."),
    links: Path | None = typer.Option(
        None, "--links", help="Write each participant's follow-up link to this CSV file."
    ),
    ids: Path | None = typer.Option(
        None, "--ids", help="With --links: a CSV of the participant ids you handed out."
    ),
    id_column: str = typer.Option("participant_id", "--id-column", help="The ids' column."),
    yes: bool = typer.Option(False, "--yes", help="Publish on Prolific without asking."),
    db: str | None = DB_OPTION,
) -> None:
    """Open the follow-up of a closed wave (its participants rate the same claims again, no
    argument shown), or with --links write the personal follow-up links of a link study.

    `persuasion serve` opens follow-ups by itself when they are due.

    Example: persuasion field follow-up my-study --wave 1 --early

    Example: persuasion field follow-up my-study --links links.csv --ids people.csv
    """
    from study import load_and_register
    from study.store import open_store

    with open_store(db, create=False) as store:
        loaded = load_and_register(store, study)
        if links is None:
            _open(store, loaded, wave, early, yes)
        elif ids is None:
            raise fail("--links needs --ids FILE.csv: the participant ids you handed out")
        else:
            from fieldwork import follow_up_links

            written = follow_up_links(store, loaded, ids, links, id_column)
            console.print(
                f"Wrote {written.rows} rows to {written.path}: {written.matched} with a link to "
                f"follow-up wave {written.wave}, {written.rows - written.matched} not matched "
                "(see the note column)",
                markup=False,
            )


def _open(store: Store, loaded: LoadedStudy, wave: int, early: bool, yes: bool) -> None:
    """Open the follow-up of `wave` (0: every due one), asking before publishing on Prolific,
    then sync the open follow-ups."""
    from fieldwork import PlatformError, due_follow_ups, open_follow_up, sync_follow_ups
    from study.store import utcnow

    def confirm(lines: list[str]) -> bool:
        for line in lines:
            console.print(line, markup=False)
        return yes or typer.confirm("Publish the follow-up on Prolific?", default=False)

    waves = [wave] if wave else due_follow_ups(store, loaded, utcnow())
    if not waves:
        console.print(f"{loaded.study.name}: no follow-up is due.", markup=False)
    try:
        for number in waves:
            s = open_follow_up(store, loaded, number, early=early, confirm=confirm)
            console.print(_line(s), markup=False)
        for s in sync_follow_ups(store, loaded):
            console.print(_line(s), markup=False)
    except PlatformError as exc:
        raise fail(str(exc)) from None


def _line(s: FollowUpStatus) -> str:
    ref = f" ({s.platform_ref})" if s.platform_ref else ""
    return (
        f"{s.study}: follow-up wave {s.wave} of wave {s.follows} {s.status} on {s.platform}{ref};"
        f" {s.completed} of {s.invited} participants answered"
    )


def register(app: typer.Typer) -> None:
    app.command("follow-up")(follow_up)
