"""`persuasion transcripts`: the conversations' turns."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.errors import clean_errors, console
from cli.options import DB_OPTION

app = typer.Typer(help="Conversation transcripts (one row per turn).", no_args_is_help=True)


@app.command("export")
@clean_errors
def export_cmd(
    study: str = typer.Argument(..., help="A stored study's name."),
    out: Path = typer.Option(..., "--out", help="A .jsonl or .csv file."),
    db: str | None = DB_OPTION,
) -> None:
    """Export every turn of a study's conversations (session, item, turn, role, text, tokens,
    cost, latency, typing and paste signals, timestamps; no platform ids) to JSONL or CSV.

    Example: persuasion transcripts export my-study --out transcripts.jsonl
    """
    from study.store import open_store
    from surveys import export_transcripts

    with open_store(db, create=False) as store:
        n = export_transcripts(store, study, out)
    console.print(f"Wrote {n} turns to {out}")
