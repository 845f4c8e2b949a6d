"""The one writer of participant, session, assignment, rating and attention-answer rows: whole
respondents (the simulated panel's and the importers' path) on a real store, read back through
the tidy ratings table under the study's exclusion rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis import ratings_table
from study.store import (
    RatedItem,
    Respondent,
    SessionRow,
    Store,
    open_wave,
    utcnow,
    write_respondents,
)
from tests.support.field_data import argument_ids, tiny_study


def test_respondents_are_written_whole_and_read_back_with_their_reasons(
    store: Store, tmp_path: Path
) -> None:
    loaded = tiny_study(store, tmp_path, platform="simulated", name="written")
    args = argument_ids(store, loaded.study_id)
    careful = Respondent(
        "simulated",
        "a" * 64,
        "ta" * 32,
        (RatedItem(args[0], 0, 3, 5, 20_000), RatedItem(args[2], 1, 4, 4, 30_000)),
        (("c1", "yes", True), ("c2", "no", False)),
        simulated=True,
    )
    careless = Respondent(
        "simulated",
        "b" * 64,
        "tb" * 32,
        (RatedItem(args[1], 0, 2, 6, 20_000),),
        (("c1", "no", False), ("c2", "no", False)),
        simulated=True,
    )
    with store.session() as session:
        wave_id = open_wave(session, loaded.study_id, "simulated", 2).id
        ids = write_respondents(session, loaded.study_id, wave_id, [careful, careless], utcnow())
    with store.session() as session:
        rows = session.scalars(select(SessionRow).where(SessionRow.id.in_(ids))).all()
        assert sorted((s.status, s.step) for s in rows) == [("completed", 1), ("completed", 2)]
    table = ratings_table(store, loaded.study_id).sort_values(["session", "position"])
    assert table["session"].tolist() == [ids[0], ids[0], ids[1]]
    assert table["position"].tolist() == [0, 1, 0]
    assert table["persuasion"].tolist() == [2, 0, 4]
    assert table["failed_checks"].tolist() == [1, 1, 2]
    assert table["exclusion"].tolist() == ["", "", "failed_attention_checks"]
    with pytest.raises(IntegrityError), store.session() as session:  # one participant per id
        write_respondents(session, loaded.study_id, wave_id, [careful])
    assert len(ratings_table(store, loaded.study_id)) == 3
