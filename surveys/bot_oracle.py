"""What a simulated participant answers: its items' truth, read from the store, and the
response model of surveys/simulated.py applied to them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from study import Study
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    ParticipantRow,
    SessionRow,
    Store,
    get_study_row,
    study_config,
)
from surveys.hashing import keyed_hash
from surveys.simulated import SCALE_MAX, SCALE_MIN, claim_mean, true_effect


@dataclass(frozen=True)
class ItemTruth:
    claim_key: str
    writer: str
    direction: int
    argument_id: int


class Oracle:
    """What the response model needs about a bot's items, read from the store (the simulated
    platform runs next to the store; real participants never see any of this)."""

    def __init__(self, store: Store, study_name: str, key: bytes) -> None:
        self.store, self.key = store, key
        with store.session() as session:
            row = get_study_row(session, study_name)
            self.study: Study = study_config(row)
            self.study_id = row.id

    def items(self, platform_id: str) -> list[ItemTruth]:
        id_hash = keyed_hash(self.key, platform_id)
        with self.store.snapshot() as session:  # a read: takes no write lock
            rows = session.execute(
                select(ClaimRow.key, ArgumentRow.writer, ArgumentRow.direction, ArgumentRow.id)
                .select_from(AssignmentRow)
                .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
                .join(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
                .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
                .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
                .where(
                    ParticipantRow.study_id == self.study_id,
                    ParticipantRow.platform_id_hash == id_hash,
                )
                .order_by(AssignmentRow.position)
            )
            return [ItemTruth(*r) for r in rows]


@dataclass(frozen=True)
class Response:
    """One item's answers under the response model: the latent support, the before-rating,
    and the argument's quality plus rating noise; the after-rating adds the writer's effect
    (for a conversation, after the turns actually held)."""

    writer: str
    direction: int
    latent: float
    rest: float

    @property
    def before(self) -> int:
        return int(np.clip(round(self.latent), SCALE_MIN, SCALE_MAX))

    def after(self, study: Study, turns: int | None = None) -> int:
        shift = true_effect(study, self.writer, turns) + self.rest
        return int(np.clip(round(self.latent + self.direction * shift), SCALE_MIN, SCALE_MAX))


def responses_for(study: Study, items: list[ItemTruth], seed: int) -> list[Response]:
    """Each item's response from the response model of surveys/simulated.py."""
    sim = study.simulation
    rng = np.random.default_rng(seed)
    out = []
    for it in items:
        quality = np.random.default_rng(it.argument_id).normal(0, sim.argument_sd)
        latent = rng.normal(claim_mean(it.claim_key, sim.claim_sd), sim.before_sd)
        rest = quality + rng.normal(0, sim.noise_sd)
        out.append(Response(it.writer, it.direction, float(latent), float(rest)))
    return out


def answers_for(study: Study, items: list[ItemTruth], seed: int) -> list[tuple[int, int]]:
    """(before, after) per item from the response model of surveys/simulated.py."""
    return [(r.before, r.after(study)) for r in responses_for(study, items, seed)]
