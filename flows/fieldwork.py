"""Fieldwork flows: open a wave and sync it (scheduled every few minutes)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from study.loading import load_and_register
from study.store import open_store
from surveys.fieldwork import WaveStatus, open_fieldwork, sync_fieldwork


@flow(name="open-wave")
def open_wave_flow(study: str, db: str | None = None) -> WaveStatus:
    """Open a wave of fieldwork for the study (or keep the open one)."""
    store = open_store(db)
    try:
        return open_fieldwork(store, load_and_register(store, study))
    finally:
        store.dispose()


@flow(name="sync-fieldwork")
def sync_fieldwork_flow(study: str, db: str | None = None) -> WaveStatus:
    """Collect answers, apply the quality rules and close the wave when its quota is met."""
    store = open_store(db)
    try:
        status = sync_fieldwork(store, load_and_register(store, study))
    finally:
        store.dispose()
    get_run_logger().info(
        "wave %d %s: %d of %d arguments complete, %d ratings",
        status.wave,
        status.status,
        status.arguments_done,
        status.arguments,
        status.ratings,
    )
    return status
