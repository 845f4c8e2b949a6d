"""The store on both backends: a real SQLite file and a real temporary PostgreSQL server."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from arguments import generate_all
from claims import load_claim_set
from study.config import parse_study
from study.examples import example_study_text
from study.store import ArgumentRow, Base, ClaimRow, Store, StoreError, open_store, resolve_url
from study.store.repo import (
    close_wave,
    count_arguments,
    get_study_row,
    open_wave,
    register_study,
)

TEXT = example_study_text("store-test")


def register(store: Store) -> int:
    with store.session() as session:
        return register_study(session, parse_study(TEXT), TEXT, load_claim_set("default")).id


def test_migrations_match_the_models(any_store: Store) -> None:
    with any_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_register_is_idempotent_and_records_claim_hash(any_store: Store) -> None:
    first, second = register(any_store), register(any_store)
    assert first == second
    with any_store.session() as session:
        row = get_study_row(session, "store-test")
        n_claims = len(session.scalars(select(ClaimRow).where(ClaimRow.study_id == row.id)).all())
        assert row.claim_set_hash == load_claim_set("default").content_hash
    assert n_claims == len(load_claim_set("default").claims)


def test_generation_stores_each_request_key_once(any_store: Store) -> None:
    study_id = register(any_store)
    study = parse_study(TEXT)
    summary = generate_all(any_store, study, study_id)
    again = generate_all(any_store, study, study_id)
    assert summary.written == summary.planned > 0
    assert again.planned == 0
    with any_store.session() as session:
        counts = count_arguments(session, study_id)
        key = session.scalars(select(ArgumentRow.request_key)).first()
    assert counts["human"] == 3 * len(load_claim_set("default").opinion)
    with pytest.raises(IntegrityError), any_store.session() as session:
        original = session.scalar(select(ArgumentRow).where(ArgumentRow.request_key == key))
        assert original is not None
        session.add(
            ArgumentRow(
                study_id=study_id,
                claim_id=original.claim_id,
                request_key=key,
                writer="x",
                writer_kind="model",
                direction=1,
                text="copy",
            )
        )


def test_waves_are_numbered_and_reopened(any_store: Store) -> None:
    study_id = register(any_store)
    with any_store.session() as session:
        wave = open_wave(session, study_id, "simulated", 3)
        assert open_wave(session, study_id, "simulated", 3).id == wave.id
        close_wave(session, wave)
        assert open_wave(session, study_id, "simulated", 3).number == 2


def test_sqlite_store_uses_wal(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSUASION_DB", "postgresql://u@h:5/db")
    assert resolve_url() == "postgresql+psycopg://u@h:5/db"
    assert resolve_url("data/x.db").startswith("sqlite:////")
    with pytest.raises(StoreError, match="store URL 'mysql://x' is not supported; use a SQLite"):
        resolve_url("mysql://x")


@pytest.mark.postgres
def test_unreachable_postgres_gives_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the store at postgresql"):
        open_store("postgresql://nobody@127.0.0.1:1/none")
