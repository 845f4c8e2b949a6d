"""Fieldwork as plain functions: open a wave, sync it, report its progress, close it when its
quota is met. Flows call these on a schedule; each reads the store and is safe to run again.

The quota: every argument of the study has at least `participants.per_argument` completed
ratings (ratings of earlier waves count, so a new generation round fields only what is new).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from study.loading import LoadedStudy
from study.store import ArgumentRow, AssignmentRow, RatingRow, Store
from study.store.repo import close_wave, current_wave, open_wave
from surveys.panel_store import run_simulated_panel


@dataclass(frozen=True)
class WaveStatus:
    """Where a study's fieldwork stands."""

    study: str
    wave: int
    status: str
    platform: str
    target: int
    arguments: int
    arguments_done: int
    ratings: int
    ratings_by_writer: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.arguments > 0 and self.arguments_done == self.arguments


def completed_ratings(store: Store, study_id: int) -> dict[int, int]:
    """Completed ratings (an after-rating exists) per argument id, across all waves."""
    with store.session() as session:
        rows = session.execute(
            select(ArgumentRow.id, func.count(RatingRow.id))
            .select_from(ArgumentRow)
            .outerjoin(AssignmentRow, AssignmentRow.argument_id == ArgumentRow.id)
            .outerjoin(
                RatingRow,
                (RatingRow.assignment_id == AssignmentRow.id) & RatingRow.after.is_not(None),
            )
            .where(ArgumentRow.study_id == study_id)
            .group_by(ArgumentRow.id)
        )
        return {arg_id: n for arg_id, n in rows}


def wave_status(store: Store, loaded: LoadedStudy) -> WaveStatus:
    target = loaded.study.participants.per_argument
    counts = completed_ratings(store, loaded.study_id)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        rows = session.execute(
            select(ArgumentRow.writer, func.count(RatingRow.id))
            .join(AssignmentRow, AssignmentRow.argument_id == ArgumentRow.id)
            .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            .where(ArgumentRow.study_id == loaded.study_id, RatingRow.after.is_not(None))
            .group_by(ArgumentRow.writer)
        ).all()
        writers = {writer: int(n) for writer, n in rows}
        number, status = (wave.number, wave.status) if wave else (0, "none")
    return WaveStatus(
        loaded.study.name,
        number,
        status,
        loaded.study.recruitment.platform,
        target,
        len(counts),
        sum(n >= target for n in counts.values()),
        sum(counts.values()),
        writers,
    )


def open_fieldwork(store: Store, loaded: LoadedStudy) -> WaveStatus:
    """Open a wave (or keep the open one) unless every argument already has its ratings."""
    status = wave_status(store, loaded)
    if status.complete and status.status != "open":
        return status
    with store.session() as session:
        open_wave(
            session,
            loaded.study_id,
            loaded.study.recruitment.platform,
            loaded.study.participants.per_argument,
        )
    return wave_status(store, loaded)


def sync_fieldwork(store: Store, loaded: LoadedStudy) -> WaveStatus:
    """One sync: collect answers (the simulated panel answers inline), then close the wave
    when its quota is met. Returns the status after the sync."""
    if loaded.study.recruitment.platform == "simulated":
        run_simulated_panel(store, loaded.study, loaded.study_id)
    status = wave_status(store, loaded)
    if status.complete and status.status == "open":
        with store.session() as session:
            wave = current_wave(session, loaded.study_id)
            if wave is not None:
                close_wave(session, wave)
        status = wave_status(store, loaded)
    return status
