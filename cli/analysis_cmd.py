"""Commands of the analysis: analyze, export, import anthropic, plan. Thin: each calls one
function of `analysis` (or `flows.steps`) and prints where the output went."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.errors import clean_errors, console
from cli.options import DB_OPTION
from common import UsageError

import_app = typer.Typer(
    help="Import published persuasion datasets as new studies.\n\n"
    "Example: persuasion import anthropic persuasion_data.csv --study anthropic-2024",
    no_args_is_help=True,
)


@clean_errors
def analyze(
    study: str = typer.Argument(..., help="A stored study's name or a study file."),
    out: Path = typer.Option(..., "--out", help="Report folder."),
    interim: bool = typer.Option(
        False,
        "--interim",
        help="Analyse while a wave on a real platform is open (an interim look: logged, and "
        "listed in the report).",
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Analyse a study's ratings and write the report: report.html, estimates.csv,
    contrasts.csv, effects.csv, summary.md, figures/ (PNG, PDF, SVG) and tables/*.tex.
    While a wave on `link` or `prolific` is open this is an interim look and needs --interim.

    Example: persuasion analyze my-study --out reports/my-study
    """
    from fieldwork import record_interim_look
    from flows.steps import analyse_step, resolve_study_step
    from study.store import open_store

    name = resolve_study_step(db, study)
    with open_store(db) as store:
        look = record_interim_look(store, name, interim)
    if look:
        console.print(f"Interim look at wave {look['wave']} logged ({look['at']}).")
    summary = analyse_step(db, name, out)
    console.print(
        f"Report: {summary.html}\nEstimates: {summary.estimates_csv}\n"
        f"Contrasts: {summary.contrasts_csv}"
    )


@clean_errors
def export(
    study: str = typer.Argument(..., help="A stored study's name."),
    out: Path = typer.Option(..., "--out", help="Output file: .csv or .parquet."),
    db: str | None = DB_OPTION,
) -> None:
    """Export the tidy ratings table (one row per rating, excluded ones with their reason)
    to CSV or Parquet, chosen by the file name.

    Example: persuasion export my-study --out ratings.parquet
    """
    from analysis import export_study

    path, n = export_study(db, study, out)
    console.print(f"Wrote {n} ratings to {path}")


@import_app.command("anthropic")
@clean_errors
def import_anthropic_cmd(
    file: Path = typer.Argument(..., help="The dataset's persuasion_data.csv."),
    study: str = typer.Option(..., "--study", help="Name of the new study."),
    db: str | None = DB_OPTION,
) -> None:
    """Import the published Anthropic persuasion dataset (Durmus et al. 2024) as a new study.

    Example: persuasion import anthropic persuasion_data.csv --study anthropic-2024
    """
    from study.importers import import_anthropic
    from study.store import open_store

    with open_store(db) as store:
        summary = import_anthropic(store, file, study)
    writers = ", ".join(f"{w} {n}" for w, n in summary.by_writer.items())
    console.print(
        f"Imported {summary.ratings} ratings of {summary.participants} participants on "
        f"{summary.claims} claims ({summary.arguments} arguments) as study {summary.study!r}.\n"
        f"Ratings by writer: {writers}\n"
        f"Analyse it with: persuasion analyze {summary.study} --out DIR"
    )


@clean_errors
def plan(
    study: str = typer.Argument(..., help="A study file or a stored study's name."),
    power: float = typer.Option(0.8, "--power", help="Target power."),
    claims: str = typer.Option("10,20,30,40,60,80,120", "--claims", help="Claim counts to try."),
    raters: str = typer.Option("1,2,3,5", "--raters", help="Raters per argument to try."),
    test: str = typer.Option("difference", "--test", help="difference | equivalence"),
    reps: int = typer.Option(1000, "--reps", help="Simulated studies per design."),
    db: str | None = DB_OPTION,
) -> None:
    """Power planning by simulation: how many claims and raters per argument reach the target
    power for one model writer against the humans, at the study's smallest effect of interest.

    Example: persuasion plan my-study.toml --power 0.9 --raters 3,5
    """
    from analysis import plan_study, to_markdown

    result = plan_study(
        db, study, power, _ints(claims, "--claims"), _ints(raters, "--raters"), test, reps
    )
    console.print(result.heading, markup=False)
    console.print(to_markdown(result.table), markup=False)
    console.print(result.conclusion, markup=False)


def _ints(text: str, option: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a comma-separated list of whole numbers, e.g. 10,20,40"
        ) from None
    if not values or min(values) < 1:
        raise UsageError(f"{option} {text!r} needs positive whole numbers, e.g. 10,20,40")
    return values


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the main `persuasion` app."""
    app.command()(analyze)
    app.command()(export)
    app.command()(plan)
    app.add_typer(import_app, name="import")
