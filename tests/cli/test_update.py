"""`persuasion update STUDY.toml`: the difference from the stored study, key by key; allowed
changes stored after confirmation and logged; changes the collected data refuses are one
`Error:` line naming the key and the fix, and change nothing, here and in `run`."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from flows import steps
from study import StudyFileError
from study.store import EventRow, StudyRow, open_store
from tests.flows.small_study import write_study

runner = CliRunner()


@pytest.fixture
def fielded(tmp_path: Path, sqlite_url: str) -> Path:
    """The small study with its arguments written and its first wave rated and closed."""
    path = write_study(tmp_path)
    steps.generate_step(sqlite_url, str(path))
    steps.open_step(sqlite_url, str(path))
    assert steps.sync_step(sqlite_url, str(path)).status == "closed"
    return path


def stored(db: str) -> tuple[str, list[dict[str, object]]]:
    with open_store(db) as store, store.session() as session:
        toml = session.scalars(select(StudyRow.config_toml)).one()
        updates = session.scalars(select(EventRow).where(EventRow.kind == "study.updated"))
        return toml, [e.payload for e in updates]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def update(path: Path, db: str, *extra: str, answer: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["update", str(path), "--db", db, *extra], input=answer)
    return result.exit_code, result.output


def test_allowed_changes_are_shown_confirmed_stored_and_logged(
    fielded: Path, sqlite_url: str
) -> None:
    edit(fielded, "per_argument = 2", "per_argument = 4")
    edit(fielded, "[analysis]", '[schedules]\nsync = "*/9 * * * *"\n\n[analysis]')
    before, _ = stored(sqlite_url)
    code, out = update(fielded, sqlite_url, answer="n\n")
    assert code == 1
    assert out.splitlines()[:3] == [
        f"{fielded} differs from the stored study 'small':",
        "  participants.per_argument: 2 -> 4",
        "  schedules.sync: '*/5 * * * *' -> '*/9 * * * *'",
    ]
    assert out.splitlines()[-1] == "Error: nothing changed; run again and confirm, or pass --yes"
    assert stored(sqlite_url)[0] == before
    code, out = update(fielded, sqlite_url, answer="y\n")
    assert code == 0, out
    assert out.splitlines()[-1] == (
        "Updated the stored study 'small' (2 change(s), logged as study.updated)."
    )
    toml, events = stored(sqlite_url)
    assert toml == fielded.read_text()
    assert events[-1]["by"] == "persuasion update"
    assert events[-1]["changes"] == [
        {"key": "participants.per_argument", "old": 2, "new": 4},
        {"key": "schedules.sync", "old": "*/5 * * * *", "new": "*/9 * * * *"},
    ]
    assert update(fielded, sqlite_url) == (
        0,
        f"{fielded}: no key differs from the stored study 'small'.\n",
    )


def test_a_change_the_data_refuses_is_one_error_line_and_changes_nothing(
    fielded: Path, sqlite_url: str
) -> None:
    edit(fielded, "per_argument = 2", "per_argument = 1")
    before = stored(sqlite_url)
    code, out = update(fielded, sqlite_url, "--yes")
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == (
        "  participants.per_argument: 2 -> 1  (refused: some arguments already have 2 "
        "ratings; keep at least that)"
    )
    assert lines[-1] == (
        f"Error: {fielded}: participants.per_argument cannot change from 2 to 1: some "
        "arguments already have 2 ratings; keep at least that; undo it, or give the study a new "
        "name (study.name) to start a new study; the stored one and its data stay as they are"
    )
    assert "Traceback" not in out
    assert stored(sqlite_url) == before


def test_run_refuses_the_same_changes_before_it_starts(fielded: Path, sqlite_url: str) -> None:
    edit(fielded, 'model = "offline/gen-2"', 'model = "offline/gen-9"')
    before = stored(sqlite_url)
    result = runner.invoke(app, ["run", str(fielded), "--check", "--db", sqlite_url])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: {fielded}: writers.gen-2.model cannot change from 'offline/gen-2' to "
        "'offline/gen-9': the writer's stored arguments were written with it; undo it, or give "
        "the study a new name (study.name) to start a new study; the stored one and its data "
        "stay as they are"
    )
    with pytest.raises(StudyFileError, match="persuasion update"):
        steps.register_step(sqlite_url, str(fielded))  # what every flow's first step does
    assert stored(sqlite_url) == before


def test_a_new_writer_is_allowed_and_logged_by_the_run_that_registers_it(
    fielded: Path, sqlite_url: str
) -> None:
    write_study(fielded.parent, models=3)
    steps.register_step(sqlite_url, str(fielded))
    _, events = stored(sqlite_url)
    assert [c["key"] for c in events[-1]["changes"]] == ["writers.gen-3"]  # type: ignore[union-attr]


def test_update_of_a_study_not_stored_names_the_store(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(db).dispose()
    code, out = update(write_study(tmp_path), db)
    assert (code, out.splitlines()[-1]) == (
        1,
        f"Error: no study named 'small' in the store {db} (the store has no studies yet); "
        "register one with `persuasion run STUDY.toml` or import data first",
    )
