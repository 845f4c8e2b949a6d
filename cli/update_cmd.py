"""`persuasion update STUDY.toml`: change a stored study, showing the difference first."""

from __future__ import annotations

import typer

from cli.errors import clean_errors, console, fail
from cli.options import DB_OPTION


@clean_errors
def update(
    study: str = typer.Argument(..., help="The edited study file (.toml)."),
    db: str | None = DB_OPTION,
    yes: bool = typer.Option(False, "--yes", help="Apply without asking."),
) -> None:
    """Show how STUDY.toml differs from the stored study of its name, key by key, and store
    the changes after confirmation. Changes that would no longer match the data already
    collected (a different claim set, a writer's model once its arguments are written, fewer
    ratings per argument than some already have, the seed or the survey once a wave is open)
    are refused: undo them, or give the study a new name to start a new study. Every applied
    change is logged in the store's event log (`study.updated`).

    Example: persuasion update my-study.toml --yes
    """
    from study import apply_update, preview_update
    from study.store import open_store

    with open_store(db, create=False) as store:
        pending = preview_update(store, study)
        if not pending.changes:
            console.print(f"{study}: no key differs from the stored study {pending.name!r}.")
            return
        console.print(f"{study} differs from the stored study {pending.name!r}:")
        for change in pending.changes:
            console.print(change.line(), markup=False)
        if pending.refused:
            raise fail(pending.refused)
        if not yes and not _confirmed(len(pending.changes), pending.name):
            raise fail("nothing changed; run again and confirm, or pass --yes")
        apply_update(store, study)
    console.print(
        f"Updated the stored study {pending.name!r} ({len(pending.changes)} change(s), "
        "logged as study.updated)."
    )


def _confirmed(changes: int, name: str) -> bool:
    try:
        return typer.confirm(f"Apply {changes} change(s) to the stored study {name!r}?")
    except typer.Abort:  # no terminal to ask (stdin closed)
        return False


def register(app: typer.Typer) -> None:
    """Add `update` to the command line."""
    app.command()(update)
