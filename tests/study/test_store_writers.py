"""SQLite writers of one process queue on the store's gate; snapshot reads take no lock."""

import threading

import pytest
from sqlalchemy import func, select, update

from study.store import Store, StoreError, StudyRow
from study.store.engine import WriteGate

from .test_store import register


def test_a_snapshot_reads_the_last_commit_while_a_writer_holds_the_lock(store: Store) -> None:
    study_id = register(store)
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with store.session() as session:
            session.execute(update(StudyRow).values(claim_set="changed"))
            writing.set()  # the write lock is held (BEGIN IMMEDIATE, then an UPDATE)
            done.wait(20)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(20)
        seen: list[str] = []
        reader = threading.Thread(
            target=lambda: seen.append(_claim_set(store, study_id)), daemon=True
        )
        reader.start()
        reader.join(20)  # a reader that waited for the writer would still be waiting here
        assert seen == ["default"]
    finally:
        done.set()
        thread.join(20)
    assert _claim_set(store, study_id) == "changed"


def _claim_set(store: Store, study_id: int) -> str:
    with store.snapshot() as session:
        return str(session.scalar(select(StudyRow.claim_set).where(StudyRow.id == study_id)))


def test_a_snapshot_refuses_to_keep_a_write(store: Store) -> None:
    register(store)
    row = StudyRow(name="x", config_toml="", config_hash="", claim_set="", claim_set_hash="")
    with (
        pytest.raises(RuntimeError, match="a snapshot session is read-only"),
        store.snapshot() as session,
    ):
        session.add(row)
    with store.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(StudyRow)) == 1


def test_writers_of_one_process_take_turns_on_the_gate(store: Store) -> None:
    gate = store.gate
    assert gate is not None
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with store.session(), gate:  # re-entrant: a nested use in one thread does not wait
            inside.set()
            release.wait(20)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(20)
        assert not gate.lock.acquire(blocking=False)  # another thread's turn: wait in line
    finally:
        release.set()
        thread.join(20)
    assert gate.lock.acquire(blocking=False)  # free again once the first one committed
    gate.lock.release()


def test_a_gate_held_too_long_gives_a_clear_error() -> None:
    gate = WriteGate("/data/study.db", timeout=0.05)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate:
            held.set()
            release.wait(20)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(20)
    try:
        with pytest.raises(StoreError) as error, gate:
            pass
        assert str(error.value) == (
            "the store /data/study.db was kept busy by another writer of this process for 0.05 s; "
            "run the command again (what was saved is kept)"
        )
    finally:
        release.set()
        thread.join(20)
