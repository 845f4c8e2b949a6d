"""`persuasion survey …`: serve the participant web app and export ratings."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cli.errors import clean_errors, console
from common import UsageError

if TYPE_CHECKING:
    from fastapi import FastAPI
from cli.options import DB_OPTION

app = typer.Typer(help="The participant web app and its exports.", no_args_is_help=True)
TOKEN_ENV = "PERSUASION_RESEARCHER_TOKEN"
SERVE_ENV = "PERSUASION_SERVE_SETTINGS"


HOST_OPTION = typer.Option("127.0.0.1", "--host", help="Address to listen on.")
PORT_OPTION = typer.Option(8000, "--port", help="Port to listen on.")
TOKEN_OPTION = typer.Option(
    "",
    "--researcher-token",
    envvar=TOKEN_ENV,
    help="Token for the dashboard and export (default: a new random one, printed).",
)
STARTS_OPTION = typer.Option(
    30, "--starts-per-minute", help="New sessions allowed per client address per minute."
)
SECURE_OPTION = typer.Option(
    False, "--secure-cookies", help="Mark cookies Secure (when served over HTTPS)."
)
WORKERS_OPTION = typer.Option(
    1, "--workers", min=1, max=64, help="Worker processes (more than 1 needs PostgreSQL)."
)
FORWARDED_OPTION = typer.Option(
    "",
    "--forwarded-allow-ips",
    help="Comma-separated addresses of your reverse proxy: only from these are "
    "X-Forwarded-For/-Proto trusted (default: none, not even 127.0.0.1).",
)


@app.command("serve")
@clean_errors
def serve(
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
    db: str | None = DB_OPTION,
    researcher_token: str = TOKEN_OPTION,
    starts_per_minute: int = STARTS_OPTION,
    secure_cookies: bool = SECURE_OPTION,
    workers: int = WORKERS_OPTION,
    forwarded_allow_ips: str = FORWARDED_OPTION,
) -> None:
    """Serve the survey: participants enter at /start/STUDY?PROLIFIC_PID=… (or ?pid=…).

    The store must hold the study with an open wave (`persuasion field open`). Keyed hashes
    use $PERSUASION_SECRET or a key file next to the store (see surveys/hashing.py).

    Example: persuasion survey serve --db study.db --port 8000
    """
    import uvicorn

    from fieldwork import create_server_app
    from study.store import open_store
    from surveys import load_secret, proxy_options
    from surveys.app import AppSettings

    store = open_store(db, create=False)
    token = researcher_token or secrets.token_urlsafe(24)
    if workers > 1 and store.url.startswith("sqlite"):
        store.dispose()
        raise UsageError(
            f"--workers {workers} needs a PostgreSQL store (SQLite takes one writer); "
            "pass --db postgresql://… or drop --workers"
        )
    base = f"http://{host}:{port}"
    console.print(
        f"Survey: {base}/start/STUDY?PROLIFIC_PID=ID\n"
        f"Dashboard: {base}/researcher/login?study=STUDY&token={token}",
        markup=False,
    )
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning"}
    options.update(proxy_options(forwarded_allow_ips))
    if workers > 1:  # each worker process builds its own app from the environment
        store.dispose()
        os.environ[SERVE_ENV] = json.dumps(
            {"db": store.url, "token": token, "secure": secure_cookies, "starts": starts_per_minute}
        )
        uvicorn.run("cli.survey_cmd:app_from_environment", factory=True, workers=workers, **options)
        return
    settings = AppSettings(
        key=load_secret(store.url),
        researcher_token=token,
        secure_cookies=secure_cookies,
        starts_per_minute=starts_per_minute,
    )
    uvicorn.run(create_server_app(store, settings), **options)


def app_from_environment() -> FastAPI:
    """The app of one worker process of `survey serve --workers N` (settings from $SERVE_ENV)."""
    from fieldwork import create_server_app
    from study.store import open_store
    from surveys import load_secret
    from surveys.app import AppSettings

    conf = json.loads(os.environ[SERVE_ENV])
    store = open_store(conf["db"], create=False)
    settings = AppSettings(
        key=load_secret(store.url),
        researcher_token=conf["token"],
        secure_cookies=conf["secure"],
        starts_per_minute=conf["starts"],
    )
    return create_server_app(store, settings)


@app.command("export")
@clean_errors
def export(
    study: str = typer.Argument(..., help="A stored study's name."),
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    db: str | None = DB_OPTION,
) -> None:
    """Write the study's ratings (one row per rating; no platform ids) as CSV.

    Example: persuasion survey export my-study --out ratings.csv
    """
    from fieldwork import export_csv
    from study.store import open_store

    with open_store(db, create=False) as store:
        text = export_csv(store, study)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    rows = max(0, len(text.splitlines()) - 1)
    console.print(f"Wrote {rows} ratings to {out}")


@app.command("invites")
@clean_errors
def invites(
    study: str = typer.Argument(..., help="A stored study's name."),
    count: int = typer.Option(10, "--count", min=1, max=10_000, help="How many invitations."),
    first: int = typer.Option(1, "--first", min=1, help="Number of the first invitation."),
    base: str = typer.Option(
        "http://127.0.0.1:8000", "--base", help="The survey app's public address."
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Print writing-task invitation links, one per writer (the same list every time: each
    link resumes its writer's task). Without an invitation, writing tasks open only from
    Prolific on Prolific studies.

    Example: persuasion survey invites my-study --count 20 --base https://survey.example.org
    """
    from study.store import get_study_row, open_store
    from surveys import invite_token, load_secret

    with open_store(db, create=False) as store:
        with store.session() as session:
            get_study_row(session, study)  # an unknown study is one error line
        key = load_secret(store.url)
    for number in range(first, first + count):
        token = invite_token(key, study, number)
        console.print(f"{base.rstrip('/')}/write/start/{study}?token={token}", markup=False)
