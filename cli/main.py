"""The `persuasion` command line: a thin shell over the packages."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from flows.steps import StudyOutcome

from cli import (
    analysis_cmd,
    arguments_cmd,
    claims_cmd,
    field_cmd,
    follow_up_cmd,
    preregister_cmd,
    serve_cmd,
    survey_cmd,
    transcripts_cmd,
    update_cmd,
)
from cli.errors import clean_errors, console, err_console, fail
from cli.options import DB_OPTION

app = typer.Typer(
    help="Measure how persuasive model-written arguments are, next to human-written ones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(claims_cmd.app, name="claims")
follow_up_cmd.register(field_cmd.app)
app.add_typer(field_cmd.app, name="field")
app.add_typer(survey_cmd.app, name="survey")
app.add_typer(transcripts_cmd.app, name="transcripts")
analysis_cmd.register(app)
preregister_cmd.register(app)
arguments_cmd.register(app)
serve_cmd.register(app)
update_cmd.register(app)

PREFECT_NOTE = (
    "Starting a local Prefect server for this run (15-30 s on two cores, longer the "
    "first time while it creates its database)..."
)


@app.command()
@clean_errors
def init(
    name: str = typer.Argument(..., help="The study's name (file NAME.toml)."),
    folder: Path = typer.Option(Path("."), "--dir", help="Where to write the file."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    template: str = typer.Option(
        "example",
        "--template",
        help="example (model and human writers) or conversation (a static and a "
        "conversation arm of one model).",
    ),
) -> None:
    """Write a commented example study file NAME.toml to edit.

    Example: persuasion init my-study --template conversation
    """
    from study import write_example

    path = write_example(name, folder, overwrite=force, template=template)
    console.print(f"Wrote {path}; check it with: persuasion run --check {path}")


@app.command()
@clean_errors
def run(
    study: str = typer.Argument(..., help="A study file (.toml)."),
    out: Path = typer.Option(Path("report"), "--out", help="Report folder."),
    check: bool = typer.Option(
        False,
        "--check",
        help="Only check the study: file, claims, models and keys, strategies, schedules, "
        "platform and store (no network, nothing spent).",
    ),
    db: str | None = DB_OPTION,
    runner: str = typer.Option("thread", "--runner", help="Task runner: thread or dask."),
    workers: int = typer.Option(4, "--workers", min=1, help="Parallel simulated-panel shards."),
    partial: bool = typer.Option(
        False, "--partial", help="Analyse the wave even if it is not complete (the report says so)."
    ),
) -> None:
    """Run a study end to end (generate, field, analyse) through Prefect. A wave that is not
    complete is not analysed unless --partial is given; the run then exits with code 1 and
    its last line says what is missing.

    Example: persuasion run my-study.toml --out reports/my-study
    """
    _preflight(study, db, check)  # every problem, before Prefect starts or anything is paid
    if check:
        return
    from flows.serve import prefect_api
    from flows.study_flow import run_study_on

    def go() -> StudyOutcome:
        return run_study_on(study, str(out), db, runner=runner, workers=workers, partial=partial)

    if runner == "dask":  # Dask's worker processes need a server they can all reach
        with prefect_api("Dask workers need a shared one", console.print):
            outcome = go()
    else:
        _note_prefect()
        outcome = go()
    _print_outcome(outcome, study)


def _preflight(study: str, db: str | None, verbose: bool) -> None:
    """The full check (flows.check) before anything starts: one problem is one `Error:` line;
    several are one line each, then an `Error:` line counting them; exit code 1."""
    from flows.check import check_study

    result = check_study(study, db)
    if len(result.problems) == 1:
        raise fail(result.problems[0])
    for problem in result.problems:
        err_console.print(problem, markup=False)
    if result.problems:
        raise fail(
            f"{study}: {len(result.problems)} problems above; fix them and check again with "
            f"`persuasion run {study} --check`"
        )
    if verbose and result.study is not None and result.claims is not None:
        claims = result.claims
        console.print(
            f"{study}: ok: {len(result.study.writers)} writers, {len(claims.claims)} claims "
            f"({claims.name}, sha256 {claims.content_hash[:12]}); models, keys, strategies, "
            "schedules, platform and store checked"
        )


def _print_outcome(outcome: StudyOutcome, study: str) -> None:
    """The end of `run`: where the report is, and last what is incomplete (exit code 1 when
    a simulated wave was left unanalysed)."""
    report, wave = outcome.report, outcome.wave
    if report is not None:
        console.print(f"Report: {report.html}\nEstimates: {report.estimates_csv}")
        if outcome.incomplete:
            console.print(f"Partial: {outcome.incomplete}; the report says so at the top.")
        return
    if wave.platform == "simulated":
        raise fail(
            f"{outcome.incomplete}; not analysed. Run it again to top it up, or pass "
            "--partial to analyse what is there"
        )
    from study import load_study

    url = load_study(study).recruitment.survey_url
    ref = f" ({wave.platform_ref})" if wave.platform_ref else ""
    folder = Path(study).resolve().parent
    console.print(
        f"Wave {wave.wave} is {wave.status} on {wave.platform}{ref}: {wave.arguments_done} of "
        f"{wave.arguments} arguments have their {wave.target} ratings.\n"
        f"Participants start at: {url or '(no recruitment.survey_url set)'}\n"
        f"Next: `persuasion serve {folder}` syncs it and writes the report on schedule "
        f"(or `persuasion field sync {study}` by hand); `persuasion status {wave.study}` "
        "shows progress."
    )


@app.command()
@clean_errors
def demo(out: Path = typer.Option(Path("demo-output"), "--out", help="Output folder.")) -> None:
    """Run the demo study (offline models, simulated participants, SQLite) and print where
    the report is.

    Example: persuasion demo --out demo-output
    """
    from flows.demo import demo_flow

    started = time.monotonic()
    _note_prefect()
    summary = demo_flow(str(out))
    console.print(
        f"Demo finished in {time.monotonic() - started:.0f} s.\n"
        f"Report: {summary.html}\nEstimates: {summary.estimates_csv}"
    )


def _note_prefect() -> None:
    if not os.environ.get("PREFECT_API_URL"):
        console.print(PREFECT_NOTE)


def main() -> None:
    # Prefect's local server would try to send telemetry, which fails on closed networks.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    app()


if __name__ == "__main__":
    main()
