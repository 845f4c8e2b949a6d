"""The simulated panel's response model, and a direct writer of its answers to the store.

Response model (documented, so a simulated study's true effects are known):

    mu_c      ~ Normal(4, claim_sd)                  prior support of claim c (seeded by claim)
    s*        ~ Normal(mu_c, before_sd)              a participant's latent support
    before    = clip(round(s*), 1, 7)
    a_arg     ~ Normal(0, argument_sd)               quality of one argument
    e         ~ Normal(0, noise_sd)                  rating noise
    after     = clip(round(s* + direction * (tau_w + a_arg + e)), 1, 7)

`tau_w` is the writer's `true_effect` from the study file (the control arm's comes from
`[control] true_effect`). For a conversation writer the effect grows with the participant's
turns t: `tau_w(t) = true_effect * (1 + turn_gain * (t - 1))` (`[simulation] turn_gain`), so
`true_effect` is the effect of a one-turn conversation; a conversation with no answered turn
moves nothing. Away from the scale's ends E[after - before] = tau_w; near them the
clip pulls observed persuasion towards zero, which is why a study keeps claim means near 4.
Each simulated participant answers two attention checks and fails each with probability
`ATTENTION_FAIL_RATE`.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np

from study import Study

ATTENTION_FAIL_RATE = 0.03
SCALE_MIN, SCALE_MAX = 1, 7


@dataclass(frozen=True)
class ArgumentRef:
    id: int
    claim_key: str
    topic: str
    writer: str
    direction: int


@dataclass(frozen=True)
class SimulatedRating:
    participant: int
    position: int
    argument_id: int
    before: int
    after: int
    reading_ms: int
    turns: int = 0  # a conversation item: the participant turns to hold (0 for static ones)


@dataclass(frozen=True)
class SimulatedParticipant:
    number: int
    ratings: tuple[SimulatedRating, ...]
    attention: tuple[bool, ...]


def claim_mean(claim_key: str, claim_sd: float) -> float:
    """The claim's prior mean support: a seeded draw, the same in every run of a study."""
    seed = int(hashlib.sha256(claim_key.encode()).hexdigest()[:8], 16)
    return float(np.clip(4.0 + claim_sd * np.random.default_rng(seed).standard_normal(), 2, 6))


def true_effect(study: Study, writer: str, turns: int | None = None) -> float:
    """The writer's effect; for a conversation writer, after `turns` participant turns."""
    if writer == "control":
        return study.control.true_effect
    spec = study.writer(writer)
    if spec.format != "conversation" or turns is None:
        return spec.true_effect
    if turns <= 0:
        return 0.0
    return spec.true_effect * (1 + study.simulation.turn_gain * (turns - 1))


def planned_turns(study: Study, writer: str, rng: np.random.Generator) -> int:
    """How many turns a simulated participant holds with a conversation writer: uniform
    between the writer's min_turns and max_turns."""
    limits = study.writer(writer).limits
    return int(rng.integers(limits.min_turns, limits.max_turns + 1))


PARTICIPANT_LINES = (
    "I am not sure about this. What is the strongest reason to agree?",
    "That sounds one-sided to me. What about the costs?",
    "Can you give me a concrete example?",
    "Why would most people not already think so?",
    "I see your point, but I still have doubts about the evidence.",
    "What would change if this were done tomorrow?",
)


def participant_message(rng: np.random.Generator, turn: int, tag: str = "") -> str:
    """A simulated participant's message in a conversation (`tag` marks whose it is)."""
    line = PARTICIPANT_LINES[int(rng.integers(len(PARTICIPANT_LINES)))]
    return f"{line} ({tag}{turn})"


def allocate(
    arguments: list[ArgumentRef], per_argument: int, k: int, rng: np.random.Generator
) -> list[list[ArgumentRef]]:
    """Give each argument `per_argument` raters; each participant gets up to k items on
    distinct topics. Least-filled arguments first, random tie-break.

    Greedy over a shuffled pool: each participant takes, in pool order, the first remaining
    item of each topic until k are taken, which is the k topic-queue heads with the earliest
    pool positions; a heap of heads makes that O(n log topics) rather than a pass over the
    whole remaining pool per participant."""
    pool = [a for a in arguments for _ in range(per_argument)]
    order = rng.permutation(len(pool))
    queues: dict[str, deque[tuple[int, ArgumentRef]]] = {}
    for position, index in enumerate(order):
        arg = pool[index]
        queues.setdefault(arg.topic, deque()).append((position, arg))
    heads = [(queue[0][0], topic) for topic, queue in queues.items()]
    heapq.heapify(heads)
    people: list[list[ArgumentRef]] = []
    while heads:
        taken = [heapq.heappop(heads) for _ in range(min(k, len(heads)))]
        items = []
        for _, topic in taken:
            queue = queues[topic]
            items.append(queue.popleft()[1])
            if queue:
                heapq.heappush(heads, (queue[0][0], topic))
        people.append(items)
    return people


def conversation_turns(study: Study, arg: ArgumentRef, seed: int, person: int) -> int:
    """The turns a simulated participant holds on a conversation item (0 for a static one),
    drawn from a stream of its own so static answers stay as they were."""
    if arg.writer == "control" or study.writer(arg.writer).format != "conversation":
        return 0
    rng = np.random.default_rng([seed, person, arg.id])
    return planned_turns(study, arg.writer, rng)


def simulate_panel(
    study: Study,
    arguments: list[ArgumentRef],
    seed: int,
    first_number: int = 0,
    per_argument: int | None = None,
) -> list[SimulatedParticipant]:
    """Simulated participants and their answers, following the response model above.

    Each argument gets `per_argument` raters (default: the study's); an argument listed n
    times gets n times as many (how a top-up asks for the ratings each argument lacks)."""
    sim = study.simulation
    rng = np.random.default_rng(seed)
    quality = {a.id: rng.normal(0, sim.argument_sd) for a in dict.fromkeys(arguments)}
    raters = study.participants.per_argument if per_argument is None else per_argument
    people = allocate(arguments, raters, study.participants.items_per_participant, rng)
    out = []
    for i, items in enumerate(people):
        ratings = []
        for pos, arg in enumerate(items):
            turns = conversation_turns(study, arg, seed, first_number + i)
            latent = rng.normal(claim_mean(arg.claim_key, sim.claim_sd), sim.before_sd)
            effect = true_effect(study, arg.writer, turns or None)
            shift = effect + quality[arg.id] + rng.normal(0, sim.noise_sd)
            before = int(np.clip(round(latent), SCALE_MIN, SCALE_MAX))
            after = int(np.clip(round(latent + arg.direction * shift), SCALE_MIN, SCALE_MAX))
            reading = int(rng.uniform(30_000, 120_000))
            ratings.append(
                SimulatedRating(first_number + i, pos, arg.id, before, after, reading, turns)
            )
        attention = tuple(bool(rng.random() >= ATTENTION_FAIL_RATE) for _ in range(2))
        out.append(SimulatedParticipant(first_number + i, tuple(ratings), attention))
    return out
