"""Options shared by several commands."""

from __future__ import annotations

import typer

DB_OPTION = typer.Option(
    None,
    "--db",
    envvar="PERSUASION_DB",
    help="Store URL: a SQLite file path or sqlite:///FILE, or postgresql://USER@HOST/DB. "
    "Default: ./persuasion.db",
)
