"""The Prefect events of a study, and the trigger that runs the analysis when a wave closes.

`persuasion.wave.closed` (about the resource `persuasion.study.NAME`) is emitted exactly once
per closed wave, whatever closed it (a flow, `persuasion field sync`, `field close --force`):
closing a wave writes a `wave.closed` row to the store's event log in the same transaction (an
outbox), and the next flow run of the study that sees an unpublished one emits the event and
records `wave.closed.published` in one transaction, under a lock on the outbox rows. The
analysis deployment of that study listens for exactly that event.
"""

from __future__ import annotations

from typing import Any

from prefect.events import DeploymentEventTrigger, emit_event
from sqlalchemy import select

from study.store import EventRow, get_study_row, log_event, open_store

WAVE_CLOSED = "persuasion.wave.closed"
CLOSED_ROW = "wave.closed"  # the outbox row that closing a wave writes (study.store.close_wave)
PUBLISHED_ROW = "wave.closed.published"


def study_resource_id(study: str) -> str:
    return f"persuasion.study.{study}"


def wave_closed_trigger(study: str, parameters: dict[str, Any]) -> DeploymentEventTrigger:
    """Run the deployment (with `parameters`) each time a wave of `study` closes."""
    return DeploymentEventTrigger(
        name=f"analyse {study} when a wave closes",
        expect={WAVE_CLOSED},
        match={"prefect.resource.id": study_resource_id(study)},
        parameters=parameters,
    )


def emit_wave_closed(study: str, wave: int, ratings: int | None = None) -> None:
    """Tell Prefect that a wave of `study` closed."""
    payload: dict[str, Any] = {"wave": wave}
    if ratings is not None:
        payload["ratings"] = ratings
    emit_event(
        event=WAVE_CLOSED,
        resource={"prefect.resource.id": study_resource_id(study)},
        payload=payload,
    )


def publish_wave_closures(db: str | None, study: str) -> list[int]:
    """Emit `persuasion.wave.closed` for every closed wave of the stored study `study` whose
    close has not been published yet, and record each as published in the same transaction
    (the outbox rows are locked first, so two runs at once publish a wave once). Returns the
    wave numbers published now."""
    with open_store(db) as store, store.session() as session:
        study_id = get_study_row(session, study).id
        closes = session.scalars(
            select(EventRow)
            .where(EventRow.study_id == study_id, EventRow.kind == CLOSED_ROW)
            .order_by(EventRow.id)
            .with_for_update()
        ).all()
        published = {
            e.payload.get("wave")
            for e in session.scalars(
                select(EventRow).where(
                    EventRow.study_id == study_id, EventRow.kind == PUBLISHED_ROW
                )
            )
        }
        waves: list[int] = []
        for close in closes:
            wave = close.payload.get("wave")
            if wave is None or wave in published:
                continue
            emit_wave_closed(study, int(wave))
            log_event(session, study_id, PUBLISHED_ROW, {"wave": wave, "outbox": close.id})
            published.add(wave)
            waves.append(int(wave))
        return waves
