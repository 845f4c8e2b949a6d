"""`persuasion survey export`: a thin shell over fieldwork.dashboard, with pinned output."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from study.store import Store
from tests.surveys.conftest import field_study


def test_export_writes_csv_without_platform_ids(store: Store, tmp_path: Path) -> None:
    field_study(store)
    out = tmp_path / "ratings.csv"
    result = CliRunner().invoke(app, ["survey", "export", "survey-test", "--out", str(out),
                                      "--db", store.url])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 0 ratings to {out}\n"
    assert out.read_text().startswith("wave,participant,session,position,claim,")


def test_export_of_unknown_study_is_one_clean_error(store: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["survey", "export", "nope", "--out", str(tmp_path / "x.csv"), "--db", store.url]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: no study named 'nope' in the store")


def test_every_survey_command_has_an_example() -> None:
    for command in ("serve", "export", "invites"):
        result = CliRunner().invoke(app, ["survey", command, "--help"])
        assert "Example: persuasion survey " + command in result.output


def test_invites_and_review_from_the_command_line(store: Store, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import delete

    from fieldwork import create_server_app
    from study.store import ArgumentRow
    from surveys import ensure_writing_tasks, load_secret
    from surveys.app import AppSettings

    field_study(store)
    with store.session() as session:
        session.execute(delete(ArgumentRow).where(ArgumentRow.writer == "human"))
    ensure_writing_tasks(store, "survey-test")
    runner = CliRunner()
    base = ["--base", "https://s.example.org/", "--db", store.url]
    invited = runner.invoke(app, ["survey", "invites", "survey-test", "--count", "2", *base])
    assert invited.exit_code == 0, invited.output
    links = invited.output.splitlines()
    assert len(links) == 2 and links[0].startswith(
        "https://s.example.org/write/start/survey-test?token=1."
    )
    client = TestClient(create_server_app(store, AppSettings(key=load_secret(store.url))))
    for link, pastes in zip(links, ("0", "4"), strict=True):
        client.cookies.clear()
        page = client.get(link.removeprefix("https://s.example.org"))
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        text = " ".join(["word"] * 220)
        client.post("/write", data={"csrf": csrf, "text": text, "pastes": pastes})
    shown = runner.invoke(app, ["arguments", "review", "survey-test", "--db", store.url])
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("(pending_review) by human") == 2
    assert "220 words, 4 paste events" in shown.output
    first, second = (int(line.split()[2]) for line in shown.output.splitlines() if "---" in line)
    needs_reason = runner.invoke(app, ["arguments", "review", "survey-test", "--reject",
                                       str(second), "--db", store.url])  # fmt: skip
    assert needs_reason.exit_code == 1
    assert needs_reason.output == "Error: A rejection needs a reason (--reason TEXT).\n"
    decided = runner.invoke(app, ["arguments", "review", "survey-test", "--approve", str(first),
                                  "--reject", str(second), "--reason", "pasted text",
                                  "--db", store.url])  # fmt: skip
    assert decided.output == f"Text {first}: ok\nText {second}: rejected\n"
    listed = runner.invoke(app, ["arguments", "review", "survey-test", "--all", "--db", store.url])
    assert "(rejected)" in listed.output and "rejected: pasted text" in listed.output
    empty = runner.invoke(app, ["arguments", "review", "survey-test", "--db", store.url])
    assert empty.output == "No texts waiting for review in survey-test.\n"


def test_several_workers_on_sqlite_is_one_clean_error(store: Store) -> None:
    field_study(store)
    result = CliRunner().invoke(app, ["survey", "serve", "--db", store.url, "--workers", "2"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --workers 2 needs a PostgreSQL store (SQLite takes one writer); pass "
        "--db postgresql://… or drop --workers\n"
    )
