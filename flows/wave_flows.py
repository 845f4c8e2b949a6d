"""Fieldwork flows: open a wave, sync it (scheduled every few minutes), close it.

Each flow opens the store, calls one plain function of `fieldwork.sync`, and publishes the
wave's progress as Prefect artifacts (a progress bar and a table, keyed by study so the UI
shows their history). Waiting state lives in the store, never in a suspended flow run. They
write only the store, in transactions (an outbox row closes a wave), so they do not take the
study's slot (flows.limits): a sync is never held up by a long generation round.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, create_table_artifact

from fieldwork import (
    WaveStatus,
    close_fieldwork,
    open_fieldwork,
    sync_fieldwork,
)
from flows.artifacts import artifact_key
from flows.events import publish_wave_closures
from study import load_and_register
from study.store import open_store


def progress_rows(status: WaveStatus) -> list[dict[str, object]]:
    """The table artifact: one row per measure of the wave's progress."""
    rows: list[dict[str, object]] = [
        {"measure": "wave", "value": f"{status.wave} ({status.status})"},
        {"measure": "platform", "value": f"{status.platform} {status.platform_ref}".strip()},
        {"measure": "arguments at target", "value": f"{status.arguments_done}/{status.arguments}"},
        {"measure": "completed ratings", "value": status.ratings},
        {"measure": "reservations released", "value": status.released},
    ]
    rows += [{"measure": f"sessions {k}", "value": v} for k, v in sorted(status.sessions.items())]
    rows += [
        {"measure": f"ratings of {w}", "value": n}
        for w, n in sorted(status.ratings_by_writer.items())
    ]
    rows += [{"measure": "problem", "value": p} for p in status.problems]
    return rows


def publish_progress(status: WaveStatus) -> None:
    """Progress bar and table artifacts for the Prefect UI."""
    create_progress_artifact(
        progress=round(status.progress, 1),
        key=artifact_key("fieldwork-progress", status.study),
        description=f"{status.study}: arguments at their target of {status.target} ratings",
    )
    create_table_artifact(
        table=progress_rows(status),
        key=artifact_key("fieldwork-status", status.study),
        description=f"Fieldwork of {status.study}, wave {status.wave}",
    )


@flow(name="open-wave")
def open_wave_flow(study: str, db: str | None = None) -> WaveStatus:
    """Open a wave of fieldwork for the study (plan, create and publish it on the platform)."""
    with open_store(db) as store:
        status = open_fieldwork(store, load_and_register(store, study))
    publish_progress(status)
    publish_wave_closures(db, status.study)
    return status


@flow(name="sync-fieldwork")
def sync_fieldwork_flow(study: str, db: str | None = None) -> WaveStatus:
    """Collect answers, release expired reservations, apply the quality rules and close the
    wave when its quota is met."""
    with open_store(db) as store:
        status = sync_fieldwork(store, load_and_register(store, study))
    log_sync(status)
    publish_progress(status)
    for wave in publish_wave_closures(db, status.study):  # closed by this sync, or elsewhere
        get_run_logger().info("published persuasion.wave.closed for wave %d", wave)
    return status


def log_sync(status: WaveStatus) -> None:
    logger = get_run_logger()
    logger.info(
        "wave %d %s: %d of %d arguments complete, %d ratings, %d reservations released",
        status.wave,
        status.status,
        status.arguments_done,
        status.arguments,
        status.ratings,
        status.released,
    )
    for problem in status.problems:
        logger.warning("%s", problem)


@flow(name="close-wave")
def close_wave_flow(study: str, db: str | None = None, force: bool = False) -> WaveStatus:
    """Close the open wave (refused before its quota is met unless `force`)."""
    with open_store(db) as store:
        status = close_fieldwork(store, load_and_register(store, study), force=force)
    publish_progress(status)
    publish_wave_closures(db, status.study)
    return status
