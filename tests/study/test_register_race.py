"""Two processes registering one new study at once (two `generate`s started together on
PostgreSQL): the second insert collides with the first's and must read its row, not fail."""

from __future__ import annotations

import threading

from claims import load_claim_set
from study.config import parse_study
from study.store import open_store
from study.store.models import StudyRow
from study.store.repo import register_study

TEXT = """
[study]
name = "race"
claims = "default"

[[writers]]
id = "w0"
kind = "model"
model = "offline/x"
strategies = ["compelling_case"]

[analysis]
reference = "w0"
"""


def test_a_colliding_registration_reads_the_row_the_other_wrote(postgres_url: str) -> None:
    study = parse_study(TEXT)
    claims = load_claim_set("default")
    with open_store(postgres_url) as first, open_store(postgres_url) as second:
        results: list[int] = []
        with first.session() as session:
            first_id = register_study(session, study, TEXT, claims).id  # not committed yet

            def other() -> None:  # blocks on the uncommitted row, then collides
                with second.session() as other_session:
                    results.append(register_study(other_session, study, TEXT, claims).id)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=2)
            assert thread.is_alive()  # waiting for the first transaction
        thread.join(timeout=60)
        assert results == [first_id]
        with second.session() as session:
            assert session.query(StudyRow).count() == 1
