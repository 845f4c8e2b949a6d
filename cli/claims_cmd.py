"""`persuasion claims …`: validate and list claim sets."""

from __future__ import annotations

import typer
from rich.table import Table

from claims import load_claim_set
from cli.errors import clean_errors, console

app = typer.Typer(help="Validate and list claim sets (YAML or CSV).", no_args_is_help=True)


@app.command("validate")
@clean_errors
def validate(
    path: str = typer.Argument(..., help="A .yaml/.csv claim file or a bundled set."),
) -> None:
    """Check a claim set; print PATH:LINE: problem for each problem and exit 1 if any.

    Example: persuasion claims validate my_claims.yaml
    """
    claim_set = load_claim_set(path)
    console.print(
        f"{claim_set.source}: ok: {len(claim_set.opinion)} opinion claims on "
        f"{len(claim_set.topics)} topics, {len(claim_set.control)} control claims; "
        f"sha256 {claim_set.content_hash[:12]}"
    )


@app.command("list")
@clean_errors
def list_claims(
    path: str = typer.Argument("default", help="A claim file or a bundled set."),
) -> None:
    """Show the claims of a set as a table.

    Example: persuasion claims list default
    """
    claim_set = load_claim_set(path)
    table = Table(
        title=f"{claim_set.name} ({len(claim_set.claims)} claims, sha256 "
        f"{claim_set.content_hash[:12]})"
    )
    for column in ("id", "topic", "stance", "kind", "text"):
        table.add_column(column, overflow="fold")
    for c in claim_set.claims:
        table.add_row(c.id, c.topic, c.stance, c.kind, c.text)
    console.print(table)
