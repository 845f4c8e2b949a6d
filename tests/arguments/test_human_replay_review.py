"""Human writing tasks, CSV import, the replay provider, and list/show/export for review."""

import csv
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from study.store import ArgumentRow, WritingTaskRow, open_store

runner = CliRunner()

STUDY = """
[study]
name = "hum"
claims = "{claims}"

[[writers]]
id = "old-opus"
kind = "model"
model = "replay/claude-3-opus-20240229"
replay_file = "{replay}"
strategies = ["compelling_case"]

[[writers]]
id = "people"
kind = "human"
per_claim = 2

[analysis]
reference = "people"

[recruitment]
platform = "link"
survey_url = "https://survey.example.org/s"

[human_writing]
instructions = "Write your own argument."
bonus = "A bonus of 1 GBP for the most persuasive argument."
"""


def write_study(tmp_path: Path, replay_rows: list[dict[str, str]]) -> Path:
    from tests.arguments.conftest import write_claims

    claims = write_claims(tmp_path, 1)
    replay = tmp_path / "replay.jsonl"
    replay.write_text("".join(json.dumps(r) + "\n" for r in replay_rows))
    path = tmp_path / "hum.toml"
    path.write_text(STUDY.format(claims=claims, replay=replay))
    return path


def essay(n: int, word: str = "reason") -> str:
    return " ".join(f"{word}{i % 50}" for i in range(n))


def test_replay_human_tasks_import_and_review(tmp_path: Path) -> None:
    replay_rows = [
        {"claim": c, "writer": "old-opus", "strategy": "compelling_case", "text": essay(240, c)}
        for c in ("drone-delivery-support", "drone-delivery-oppose")
    ]
    study, db = write_study(tmp_path, replay_rows), str(tmp_path / "h.db")
    result = runner.invoke(app, ["generate", str(study), "--db", db])
    assert result.exit_code == 0, result.output
    assert "Generated 2 of 2 planned arguments" in result.output
    assert "Created 4 writing tasks for human writers." in result.output

    store = open_store(db)
    with store.session() as session:
        tasks = session.scalars(select(WritingTaskRow)).all()
        replayed = session.scalars(select(ArgumentRow)).all()
    assert {(t.words_min, t.words_max, t.instructions) for t in tasks} == {
        (200, 300, "Write your own argument.")
    }
    assert {t.bonus for t in tasks} == {"A bonus of 1 GBP for the most persuasive argument."}
    assert {(r.provider, r.generation, r.model_class) for r in replayed} == {
        ("replay", "Claude 3 Opus", "frontier")
    }

    csv_path = tmp_path / "human.csv"
    with csv_path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["claim", "writer", "slot", "text"])
        out.writerow(["drone-delivery-support", "people", "0", essay(230)])
        out.writerow(["drone-delivery-support", "people", "1", "Too short."])
    imported = runner.invoke(app, ["arguments", "import", str(study), str(csv_path), "--db", db])
    assert imported.output.strip() == (
        "Imported 2 arguments (1 flagged by quality checks); skipped 0 already stored."
    )
    again = runner.invoke(app, ["arguments", "import", str(study), str(csv_path), "--db", db])
    assert "Imported 0 arguments (0 flagged by quality checks); skipped 2" in again.output
    with store.session() as session:
        submitted = session.scalars(
            select(WritingTaskRow).where(WritingTaskRow.status == "submitted")
        ).all()
    store.dispose()
    assert len(submitted) == 2 and all(t.argument_id for t in submitted)

    flagged = runner.invoke(app, ["arguments", "list", "hum", "--status", "flagged", "--db", db])
    assert "hum: 1 arguments" in flagged.output and "length" in flagged.output
    shown = runner.invoke(app, ["arguments", "show", "1", "--db", db])
    assert "provider: replay" in shown.output and "generation: Claude 3 Opus" in shown.output
    export = tmp_path / "out" / "arguments.csv"
    exported = runner.invoke(app, ["arguments", "export", "hum", "--out", str(export), "--db", db])
    assert exported.output.strip() == f"Wrote 4 arguments to {export}"
    rows = list(csv.DictReader(export.open()))
    assert [r["writer"] for r in rows] == ["old-opus", "old-opus", "people", "people"]
    assert rows[3]["quality_failed"] == "length"


def test_import_refuses_unknown_writer_and_stores_nothing(tmp_path: Path) -> None:
    study, db = write_study(tmp_path, []), str(tmp_path / "h.db")
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        f"claim,writer,text\ndrone-delivery-support,people,{essay(230)}\n"
        f"drone-delivery-support,robot,{essay(230)}\n"
    )
    result = runner.invoke(app, ["arguments", "import", str(study), str(csv_path), "--db", db])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {csv_path}:3: 'robot' is not a human writer of the study; use one of: people"
    )
    listed = runner.invoke(app, ["arguments", "list", "hum", "--db", db])
    assert "hum: 0 arguments" in listed.output


def test_replay_row_missing_is_reported_and_not_stored(tmp_path: Path) -> None:
    rows = [
        {
            "claim": "drone-delivery-support",
            "writer": "old-opus",
            "strategy": "compelling_case",
            "text": essay(240),
        }
    ]
    study, db = write_study(tmp_path, rows), str(tmp_path / "h.db")
    result = runner.invoke(app, ["generate", str(study), "--db", db])
    assert "Generated 1 of 2 planned arguments" in result.output
    assert "no replay row for claim, writer, strategy ('drone-delivery-oppose'" in result.output


def test_show_unknown_argument_names_the_fix(tmp_path: Path) -> None:
    open_store(str(tmp_path / "e.db")).dispose()  # an empty store (show never creates one)
    result = runner.invoke(app, ["arguments", "show", "99", "--db", str(tmp_path / "e.db")])
    assert result.output.strip() == (
        "Error: no argument '99'; pass an id or request key from `persuasion arguments list`"
    )
