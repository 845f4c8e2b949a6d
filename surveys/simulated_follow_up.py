"""The simulated panel's answers to a follow-up wave (documented, so the truth is known).

Response model, on top of the one in surveys/simulated.py: each participant of the original
wave answers the follow-up with probability `simulation.follow_up_response`; one who does
rates each of their items' claims again as

    u         ~ Uniform(-0.5, 0.5)                 the latent support behind the rounded before
    e         ~ Normal(0, noise_sd)                rating noise
    follow_up = clip(round(before + u + direction * (share * tau_w + e)), 1, 7)

with `share = simulation.follow_up_share` and `tau_w` the writer's true effect (a
conversation's, after the turns the participant held: surveys/simulated.py). So the effect
that remains at the follow-up is `share` times the immediate one: E[direction * (follow_up -
before)] / E[direction * (after - before)] = share away from the scale's ends (the clip
attenuates both about equally; the follow-up tests check the estimate against `share`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from study import Study
from surveys.simulated import SCALE_MAX, SCALE_MIN, true_effect


@dataclass(frozen=True)
class FollowUpQuestion:
    """One item a participant rated in the original wave, to be asked again."""

    participant: int
    assignment_id: int
    writer: str
    direction: int
    before: int
    turns: int | None = None  # a conversation's participant turns (None: a static item)


def simulate_follow_up(
    study: Study, questions: Sequence[FollowUpQuestion], seed: int
) -> dict[int, list[tuple[int, int]]]:
    """The answers of the participants who respond: participant -> [(assignment id, support)],
    in the order of `questions` (participants who do not respond are absent)."""
    sim = study.simulation
    rng = np.random.default_rng(seed)
    people = list(dict.fromkeys(q.participant for q in questions))
    responds = {p: bool(rng.random() < sim.follow_up_response) for p in people}
    out: dict[int, list[tuple[int, int]]] = {}
    for q in questions:
        if not responds[q.participant]:
            continue
        effect = true_effect(study, q.writer, q.turns)
        shift = sim.follow_up_share * effect + rng.normal(0, sim.noise_sd)
        latent = q.before + rng.uniform(-0.5, 0.5) + q.direction * shift
        support = int(np.clip(round(latent), SCALE_MIN, SCALE_MAX))
        out.setdefault(q.participant, []).append((q.assignment_id, support))
    return out
