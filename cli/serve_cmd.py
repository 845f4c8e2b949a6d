"""`persuasion serve FOLDER` and `persuasion status STUDY`: studies on a schedule."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cli.errors import clean_errors, console, err_console, fail
from cli.options import DB_OPTION


@clean_errors
def serve(
    folder: Path = typer.Argument(..., help="A folder of study files (*.toml)."),
    db: str | None = DB_OPTION,
    reports: Path | None = typer.Option(
        None, "--reports", help="Where reports go (REPORTS/NAME/). Default: FOLDER/reports."
    ),
    every: float | None = typer.Option(
        None,
        "--every",
        min=1,
        help="Run sync and report every N seconds instead of the "
        "study files' crons (to try things out).",
    ),
    limit: int = typer.Option(4, "--limit", min=1, help="Flow runs at a time."),
) -> None:
    """Serve the deployments of every study in FOLDER until stopped with Ctrl-C: fieldwork
    sync and report on the study files' crons, the report again whenever a wave closes, and a
    new-generation round when `schedules.new_generation` is set.

    Example: persuasion serve studies/ --db postgresql://me@localhost/persuasion
    """
    from flows.serve import ServerError, serve_studies

    try:
        serve_studies(folder, db, reports, every, limit, console.print)
    except ServerError as exc:
        raise fail(f"{exc}; start one yourself with `prefect server start`") from None


@clean_errors
def status(
    study: str = typer.Argument(..., help="A stored study's name or a study file."),
    db: str | None = DB_OPTION,
) -> None:
    """Show where a study stands: arguments and ratings per writer against target,
    exclusions, cost so far, waves and the next scheduled runs. Read only: given a study file,
    it shows the stored study of that name and warns when the file differs from it.

    Example: persuasion status my-study
    """
    from flows.status import next_runs, study_status, summary_lines
    from study import is_study_file, load_stored, load_study, stored_differs
    from study.store import open_store

    with open_store(db, create=False) as store:  # read only: status never changes the store
        name = study
        if is_study_file(study):
            name = load_study(study).name
            warning = stored_differs(store, study)
            if warning:
                err_console.print(warning, markup=False)
        loaded = load_stored(store, name)
        state = study_status(store, loaded, next_runs(loaded))
    table = Table(title=f"{state.study} ({state.platform})")
    for column in ("writer", "arguments", "ratings", "target"):
        table.add_column(column, justify="left" if column == "writer" else "right")
    for w in state.writers:
        table.add_row(w.writer, str(w.arguments), str(w.ratings), str(w.target))
    console.print(table)
    for line in summary_lines(state):
        console.print(line)


def register(app: typer.Typer) -> None:
    """Add `serve` and `status` to the command line."""
    app.command()(serve)
    app.command()(status)
