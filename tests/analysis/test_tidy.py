"""The tidy ratings table from a real store: columns, persuasion sign, exclusion reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from analysis import COLUMNS, kept, ratings_table
from study.config import Exclusions
from study.importers import import_anthropic
from study.store import AssignmentRow, AttentionAnswerRow, RatingRow, SessionRow, Store
from study.store.repo import get_study_row, study_config


@pytest.mark.postgres
def test_columns_persuasion_and_every_exclusion_reason(
    any_store: Store, synthetic_csv: Path
) -> None:
    summary = import_anthropic(any_store, synthetic_csv, "tidy")
    with any_store.session() as session:
        ratings = list(session.scalars(select(RatingRow).order_by(RatingRow.id)))
        ratings[0].after = None  # incomplete
        ratings[1].reading_ms = 1_000  # far below the reading time of its argument
        ratings[2].reading_ms = 600_000
        assignment = session.get(AssignmentRow, ratings[3].assignment_id)
        assert assignment is not None
        for key in ("a", "b"):
            session.add(
                AttentionAnswerRow(
                    session_id=assignment.session_id, check_key=key, answer="x", passed=False
                )
            )
        other = session.get(AssignmentRow, ratings[4].assignment_id)
        assert other is not None
        sess = session.get(SessionRow, other.session_id)
        assert sess is not None
        sess.exclusion = "returned"
        keys = [
            (a.argument_id, a.session_id)
            for a in (session.get(AssignmentRow, r.assignment_id) for r in ratings[:5])
            if a is not None
        ]
        people = {s.id: s.participant_id for s in session.scalars(select(SessionRow))}
        first_five = [(arg, people[sid]) for arg, sid in keys]
    with any_store.session() as session:
        study_id = get_study_row(session, "tidy").id
    with any_store.session() as session:
        study = study_config(get_study_row(session, "tidy"))
    reading = study.model_copy(
        update={"exclusions": Exclusions(max_failed_attention_checks=1, min_reading_fraction=0.5)}
    )
    table = ratings_table(any_store, study_id, reading)
    assert list(table.columns) == COLUMNS
    assert len(table) == summary.ratings
    # the table is in content order: find the five edited ratings by argument and participant
    by_key = table.set_index(["argument", "participant"])
    assert by_key.loc[first_five, "exclusion"].tolist() == [
        "incomplete",
        "read_too_fast",
        "",
        "failed_attention_checks",
        "returned",
    ]
    ok = kept(table)
    assert len(ok) == summary.ratings - 4
    control = ok[ok["writer"] == "control"]
    assert (control["persuasion"] == -(control["after"] - control["before"])).all()
    # without the reading rule the fast rating is kept
    plain = ratings_table(any_store, study_id)
    assert plain.set_index(["argument", "participant"]).loc[first_five[1], "exclusion"] == ""
