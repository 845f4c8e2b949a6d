"""A follow-up on a link study: `persuasion field follow-up` opens it when it is due, writes
each participant's personal link next to the researcher's own list of ids (matched through
the keyed hash), and the link opens the follow-up page."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from fieldwork.server import create_server_app
from study.store import FollowUpSessionRow, Store, WaveRow, close_wave, utcnow
from surveys import load_secret
from surveys.app import AppSettings
from surveys.bots import Bot, Oracle
from tests.surveys.conftest import field_study, study_text

LINK = """
[recruitment]
platform = "link"
survey_url = "https://survey.example.org/start/lk"

[follow_up]
after_days = 30
"""
runner = CliRunner()


def test_link_follow_up_links_match_the_researchers_ids(
    store: Store, sqlite_url: str, tmp_path: Path
) -> None:
    field_study(store, study_text("lk", LINK))
    key = load_secret(store.url)
    web = create_server_app(store, AppSettings(key=key))
    for i, pid in enumerate(("alice", "bob", "carol")):
        with TestClient(web, follow_redirects=False) as client:
            assert (
                Bot(client, Oracle(store, "lk", key), pid, seed=i, probe=False).run("lk").completed
            )
    with store.session() as session:
        close_wave(session, session.get_one(WaveRow, 1), utcnow() - timedelta(days=31))

    opened = runner.invoke(app, ["field", "follow-up", "lk", "--db", sqlite_url])
    assert opened.exit_code == 0, opened.output
    assert "lk: follow-up wave 2 of wave 1 open on link; 0 of 3 participants answered" in (
        opened.output
    )
    from flows.status import study_status
    from study import load_and_register

    waves = study_status(store, load_and_register(store, "lk")).waves
    assert waves == ((1, "closed"), (2, "open (follow-up)"))
    ids = tmp_path / "people.csv"
    ids.write_text(
        "email,participant_id\nalice@example.org,alice\nbob@example.org,bob\n"
        "carol@example.org,carol\n=HYPERLINK(1),zed\n"
    )
    out = tmp_path / "links.csv"
    args = ["field", "follow-up", "lk", "--links", str(out), "--ids", str(ids), "--db", sqlite_url]
    written = runner.invoke(app, args)
    assert written.exit_code == 0, written.output
    assert "Wrote 4 rows" in written.output and "3 with a link" in written.output
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["email"] for r in rows][-1] == "'=HYPERLINK(1)"  # a spreadsheet will not run it
    urls = [r["follow_up_url"] for r in rows]
    assert all(u.startswith("https://survey.example.org/follow-up/t/") for u in urls[:3])
    assert urls[3] == "" and rows[3]["note"] == "not a participant of the wave follow-up 2 follows"
    assert len(set(urls[:3])) == 3
    assert runner.invoke(app, args).exit_code == 0  # the same links again
    with out.open(newline="") as handle:
        assert [r["follow_up_url"] for r in csv.DictReader(handle)] == urls

    with TestClient(web, follow_redirects=False) as client:
        path = urlsplit(urls[1]).path
        page = client.get(path)
        assert page.status_code == 200 and 'data-page="follow_up"' in page.text
        assert client.get(path[:-3] + "xyz").status_code == 403
    with store.session() as session:
        tokens = session.scalars(select(FollowUpSessionRow.token_hash)).all()
        status = session.scalars(select(FollowUpSessionRow.status)).all()
    assert not any(u.rsplit("/", 1)[1] in t for u in urls[:3] for t in tokens)
    assert sorted(status) == ["active", "invited", "invited"]


def test_links_need_ids_and_a_column_of_them(store: Store, sqlite_url: str, tmp_path: Path) -> None:
    field_study(store, study_text("lk", LINK))
    out = tmp_path / "links.csv"
    base = ["field", "follow-up", "lk", "--links", str(out), "--db", sqlite_url]
    no_ids = runner.invoke(app, base)
    assert no_ids.exit_code == 1
    assert no_ids.output.strip() == (
        "Error: --links needs --ids FILE.csv: the participant ids you handed out"
    )
    ids = tmp_path / "people.csv"
    ids.write_text("email,pid\na@example.org,alice\n")
    wrong = runner.invoke(app, [*base, "--ids", str(ids)])
    assert wrong.exit_code == 1
    assert wrong.output.strip() == (
        f"Error: {ids}: no column 'participant_id' (its columns: email, pid); name the column "
        "of participant ids with --id-column"
    )
    none_yet = runner.invoke(app, [*base, "--ids", str(ids), "--id-column", "pid"])
    assert none_yet.output.strip().splitlines() == [
        "Error: study 'lk' has no follow-up wave yet; open one with `persuasion field "
        "follow-up lk` (it opens by itself under `persuasion serve` when it is due)"
    ]
    early = runner.invoke(app, ["field", "follow-up", "lk", "--wave", "1", "--db", sqlite_url])
    assert early.exit_code == 1
    assert early.output.strip().splitlines() == [
        "Error: wave 1 of study 'lk' is still open; close it first (`persuasion field close "
        "lk`), its follow-up opens 30 days later"
    ]
