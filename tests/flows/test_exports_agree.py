"""One study, three exports: `persuasion export`, `persuasion survey export` and the
dashboard's CSV are the one tidy ratings table; they may choose other columns, never other
rows, persuasion values or exclusion reasons."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from fieldwork.server import create_server_app
from study.store import AssignmentRow, AttentionAnswerRow, RatingRow, SessionRow, open_store
from surveys.app import AppSettings
from tests.flows.small_study import write_study
from tests.flows.test_steps import field_inline

TOKEN = "r" * 40
SHARED = ["wave", "participant", "claim", "argument", "writer", "before", "after"]
SHARED += ["direction", "persuasion", "reading_ms", "failed_checks", "exclusion"]


def spoil_some_ratings(db: str) -> None:
    """Give the study every kind of exclusion: an unanswered after-rating, a participant who
    failed two attention checks, and a session the platform returned."""
    with open_store(db) as store, store.session() as session:
        ratings = list(session.scalars(select(RatingRow).order_by(RatingRow.id)))
        ratings[0].after = None
        sessions = list(
            dict.fromkeys(
                session.get_one(AssignmentRow, r.assignment_id).session_id for r in ratings
            )
        )
        for key in ("x", "y"):
            session.add(
                AttentionAnswerRow(
                    session_id=sessions[-2], check_key=key, answer="no", passed=False
                )
            )
        session.get_one(SessionRow, sessions[-1]).exclusion = "returned"


def test_three_exports_have_the_same_rows_values_and_reasons(
    tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path))
    field_inline(sqlite_url, ref)
    spoil_some_ratings(sqlite_url)
    runner = CliRunner()
    tidy, survey = tmp_path / "tidy.csv", tmp_path / "survey.csv"
    for args in (["export", "small", "--out", str(tidy)], ["survey", "export", "small"]):
        if args[0] == "survey":
            args += ["--out", str(survey)]
        result = runner.invoke(app, [*args, "--db", sqlite_url])
        assert result.exit_code == 0, result.output
    with open_store(sqlite_url) as store:
        settings = AppSettings(key=b"k" * 32, researcher_token=TOKEN)
        with TestClient(create_server_app(store, settings)) as client:
            response = client.get(
                "/researcher/small/export.csv", headers={"authorization": f"Bearer {TOKEN}"}
            )
    assert response.status_code == 200
    frames = [pd.read_csv(tidy), pd.read_csv(survey), pd.read_csv(io.StringIO(response.text))]
    assert len(frames[0]) == 76
    reasons = frames[0]["exclusion"].fillna("").value_counts().to_dict()
    assert set(reasons) == {"", "incomplete", "failed_attention_checks", "returned"}
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame[SHARED], frames[0][SHARED])
