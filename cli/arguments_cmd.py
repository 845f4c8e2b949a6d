"""`persuasion generate` and `persuasion arguments import|list|show|export`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn
from rich.table import Table

from cli.errors import clean_errors, console
from cli.options import DB_OPTION

if TYPE_CHECKING:
    from arguments import Estimate, GenerationSummary

app = typer.Typer(help="Review, import and export stored arguments.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add `generate` and the `arguments` group to the root command."""
    root.command("generate")(generate)
    root.add_typer(app, name="arguments")


def plan_table(plan: Estimate) -> Table:
    table = Table(title=f"Plan: {plan.requests} requests")
    for column in ("writer", "model", "strategy", "requests", "input tokens", "output ≤", "cost ≤"):
        table.add_column(
            column, justify="left" if column in ("writer", "model", "strategy") else "right"
        )
    for line in plan.lines:
        table.add_row(
            line.writer,
            line.model,
            line.strategy,
            str(line.requests),
            f"{line.input_tokens:,}",
            f"{line.output_tokens_max:,}",
            f"${line.cost_usd:.2f}",
        )
    return table


class TerminalProgress:
    """Prints the plan and its estimate, then a progress bar."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def plan(self, estimate: Estimate) -> None:
        console.print(plan_table(estimate))
        regenerated = (
            f"; ${estimate.regenerated_usd:.2f} if every argument is regenerated "
            f"{estimate.attempts} times"
            if estimate.attempts > 1
            else ""
        )
        console.print(
            f"Estimated cost at most ${estimate.cost_usd:.2f}{regenerated} (already spent "
            f"${estimate.spent_usd:.2f}; budget ${estimate.budget_usd:.2f}, enforced while "
            "running)."
        )

    def advance(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("generating", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def summary_lines(summary: GenerationSummary) -> list[str]:
    lines = [
        f"Generated {summary.written} of {summary.planned} planned arguments "
        f"(cost ${summary.cost_usd:.4f}; {summary.requests_sent} requests sent, "
        f"{summary.retries} retried; {summary.flagged} flagged by quality checks; "
        f"{summary.failed} failed).",
        f"Spent on this study so far: ${summary.spent_usd:.4f}"
        + (
            f" (including {summary.unknown} requests of unknown outcome at their worst case)."
            if summary.unknown
            else "."
        ),
    ]
    if summary.writing_tasks:
        lines.append(f"Created {summary.writing_tasks} writing tasks for human writers.")
    lines += [f"  failed: {e}" for e in summary.errors]
    if summary.failed and not summary.stopped:
        lines.append("Run the same command again to retry what failed; stored arguments are kept.")
    return lines


@clean_errors
def generate(
    study: str = typer.Argument(..., help="A study file (.toml) or a stored study's name."),
    over_budget: bool = typer.Option(False, "--over-budget", help="Start even above the budget."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and estimate only."),
    steal_lease: bool = typer.Option(
        False, "--steal-lease", help="Take over the study from another generation run."
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Generate every missing argument of a study: print the plan and a cost estimate, refuse
    to start above the study's budget, then send only what the store does not have yet,
    stopping before spent + in flight would pass the budget. One run per study at a time.

    Example: persuasion generate my-study.toml --dry-run
    """
    from arguments import RunOptions, RunStopped, generate_all
    from study import load_and_register
    from study.store import open_store

    store = open_store(db)
    progress = TerminalProgress()
    try:
        loaded = load_and_register(store, study)
        options = RunOptions(
            allow_over_budget=over_budget,
            dry_run=dry_run,
            progress=progress,
            steal_lease=steal_lease,
        )
        summary = generate_all(store, loaded.study, loaded.study_id, options)
    except RunStopped as stopped:
        progress.close()
        console.print("\n".join(summary_lines(stopped.summary)))
        raise
    finally:
        progress.close()
        store.dispose()
    if summary.planned == 0:
        console.print("Nothing to generate: every planned argument is stored.")
    elif not dry_run:
        console.print("\n".join(summary_lines(summary)))


@app.command("import")
@clean_errors
def import_cmd(
    study: str = typer.Argument(..., help="A study file (.toml) or a stored study's name."),
    csv_path: Path = typer.Argument(..., help="CSV with columns claim,writer,text[,slot]."),
    db: str | None = DB_OPTION,
) -> None:
    """Import human-written arguments from a CSV (claim id, human writer id, text).

    Example: persuasion arguments import my-study.toml human_arguments.csv
    """
    from arguments import import_human_arguments
    from study import load_and_register
    from study.store import open_store

    with open_store(db) as store:
        loaded = load_and_register(store, study)
        result = import_human_arguments(store, loaded.study, loaded.study_id, csv_path)
    console.print(
        f"Imported {result.imported} arguments ({result.flagged} flagged by quality checks); "
        f"skipped {result.skipped} already stored."
    )


@app.command("list")
@clean_errors
def list_cmd(
    study: str = typer.Argument(..., help="A stored study's name."),
    writer: str | None = typer.Option(None, "--writer", help="Only this writer."),
    status: str | None = typer.Option(None, "--status", help="Only ok or flagged."),
    db: str | None = DB_OPTION,
) -> None:
    """List a study's arguments with writer, strategy, words, cost and quality.

    Example: persuasion arguments list my-study --status flagged
    """
    from arguments import list_arguments
    from study.store import open_store

    with open_store(db, create=False) as store:
        records = list_arguments(store, study, writer=writer, status=status)
    table = Table(title=f"{study}: {len(records)} arguments")
    for column in ("id", "claim", "writer", "strategy", "words", "cost", "status", "failed"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
            str(r["id"]),
            r["claim"],
            r["writer"],
            r["strategy"],
            str(r["words"]),
            f"${r['cost_usd']:.4f}",
            r["status"],
            r["quality_failed"],
        )
    console.print(table)


@app.command("show")
@clean_errors
def show_cmd(
    ref: str = typer.Argument(..., help="An argument id or request key."),
    db: str | None = DB_OPTION,
) -> None:
    """Show one argument with its text and full provenance.

    Example: persuasion arguments show 12
    """
    from arguments import show_argument
    from study.store import open_store

    with open_store(db, create=False) as store:
        record = show_argument(store, ref)
    text = record.pop("text")
    for key, value in record.items():
        shown = json.dumps(value) if isinstance(value, dict) else str(value)
        console.print(f"{key}: {shown}", markup=False)
    console.print(f"\n{text}", markup=False)


@app.command("export")
@clean_errors
def export_cmd(
    study: str = typer.Argument(..., help="A stored study's name."),
    out: Path = typer.Option(..., "--out", help="A .csv or .jsonl file."),
    db: str | None = DB_OPTION,
) -> None:
    """Export a study's arguments with provenance, usage, cost and quality to CSV or JSONL.

    Example: persuasion arguments export my-study --out arguments.csv
    """
    from arguments import export_arguments
    from study.store import open_store

    with open_store(db, create=False) as store:
        n = export_arguments(store, study, out)
    console.print(f"Wrote {n} arguments to {out}")


@app.command("review")
@clean_errors
def review_cmd(
    study: str = typer.Argument(..., help="A stored study's name."),
    approve: list[int] = typer.Option([], "--approve", help="Approve this text (repeatable)."),
    reject: list[int] = typer.Option([], "--reject", help="Reject this text (repeatable)."),
    reason: str = typer.Option("", "--reason", help="Why (required with --reject)."),
    everything: bool = typer.Option(False, "--all", help="List reviewed texts too."),
    db: str | None = DB_OPTION,
) -> None:
    """Review writers' texts: without options, show each pending text with its integrity
    signals (paste events, time spent on the task); participants see only approved ones.

    Example: persuasion arguments review my-study --approve 12 --reject 13 --reason "copied"
    """
    from study.store import open_store
    from surveys import decide, review_queue

    with open_store(db, create=False) as store:
        decided = [decide(store, study, i, "approve") for i in approve]
        decided += [decide(store, study, i, "reject", reason) for i in reject]
        for text in decided:
            console.print(f"Text {text.argument_id}: {text.status}", markup=False)
        if decided:
            return
        queue = review_queue(store, study, everything)
    if not queue:
        console.print(f"No texts waiting for review in {study}.", markup=False)
    for text in queue:
        spent = "?" if text.seconds is None else f"{text.seconds // 60} min {text.seconds % 60} s"
        console.print(
            f"--- text {text.argument_id} ({text.status}) by {text.writer}, task {text.task_id}: "
            f"{text.words} words, {text.pastes} paste events, {spent} on the task"
            + (f"; rejected: {text.reason}" if text.reason else "")
            + f"\nClaim: {text.claim}\n\n{text.text}\n",
            markup=False,
        )
