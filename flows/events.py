"""The Prefect events of a study, and the trigger that runs the analysis when a wave closes.

The fieldwork sync emits `persuasion.wave.closed` about the resource `persuasion.study.NAME`
when it closes a wave; the analysis deployment of that study listens for exactly that.
"""

from __future__ import annotations

from typing import Any

from prefect.events import DeploymentEventTrigger, emit_event

WAVE_CLOSED = "persuasion.wave.closed"


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


def emit_wave_closed(study: str, wave: int, ratings: int) -> None:
    """Tell Prefect that a wave of `study` closed (what the fieldwork sync emits)."""
    emit_event(
        event=WAVE_CLOSED,
        resource={"prefect.resource.id": study_resource_id(study)},
        payload={"wave": wave, "ratings": ratings},
    )
