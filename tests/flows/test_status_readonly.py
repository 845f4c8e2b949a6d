"""`persuasion status` is read only: it reads the stored study (a relative claim-set path
resolved against the study file's folder at registration) and warns when a given study file
differs from the stored one, without changing it."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from flows import steps
from study.store import StudyRow, open_store
from tests.flows.small_study import write_study

runner = CliRunner()


def stored_hash(db: str) -> str:
    with open_store(db) as store, store.session() as session:
        return session.scalars(select(StudyRow.config_hash)).one()


def test_status_by_name_from_another_folder_reads_the_relative_claim_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    steps.register_step(db, str(write_study(tmp_path / "studies")))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = runner.invoke(app, ["status", "small", "--db", db])
    assert result.exit_code == 0, result.output
    assert "small (simulated)" in result.output


def test_status_of_a_changed_file_warns_and_changes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    path = write_study(tmp_path)
    steps.register_step(db, str(path))
    before = stored_hash(db)
    path.write_text(path.read_text().replace("per_argument = 2", "per_argument = 5"))
    result = runner.invoke(app, ["status", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"warning: {path} differs from the stored study 'small' in 1 key(s) "
        "(participants.per_argument); this shows the stored one. See the difference and apply "
        f"it with `persuasion update {path}`"
    )
    assert stored_hash(db) == before
