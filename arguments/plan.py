"""What a study needs written: one job per (claim, writer, strategy, replicate), each with a
stable request key, so that a re-run only does what the store does not have yet."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from arguments.registry import ModelInfo, model_for
from arguments.strategies import Strategy, strategies_for
from study import Study, Writer

HUMAN_STRATEGY = "human"
SIMULATED_HUMAN = ModelInfo("offline/simulated-human", "Human", "human", 0)


@dataclass(frozen=True)
class ClaimRef:
    """The part of a stored claim that generation needs."""

    id: int
    key: str
    topic: str
    kind: str
    text: str


@dataclass(frozen=True)
class Job:
    """One argument to produce. `key` is unique per study and safe as a batch custom_id."""

    key: str
    claim: ClaimRef
    writer: Writer
    strategy: str
    replicate: int
    direction: int
    prompt_hash: str
    model: ModelInfo = SIMULATED_HUMAN

    @property
    def writer_label(self) -> str:
        return "control" if self.direction < 0 else self.writer.id


def request_key(
    study: str, claim: str, writer: str, strategy: str, replicate: int, prompt_hash: str
) -> str:
    """A stable key for one request: 32 hex characters (matches ^[a-zA-Z0-9_-]{1,64}$)."""
    raw = f"{study}|{claim}|{writer}|{strategy}|{replicate}|{prompt_hash}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def control_writer(study: Study) -> Writer | None:
    models = [w for w in study.writers if w.kind == "model" and w.format == "static"]
    if study.control.writer:
        return study.writer(study.control.writer)
    return models[0] if models else None


def simulated_humans(study: Study) -> bool:
    """With the simulated panel, human arguments are offline placeholders too; otherwise
    human writers get writing tasks (arguments.human)."""
    return study.recruitment.platform == "simulated"


def plan_jobs(study: Study, claims: list[ClaimRef], done: set[str]) -> list[Job]:
    """Every job the study needs that is not in `done` (the request keys already stored).
    Checks every model and strategy first (GenerationError naming the fix)."""
    strategies = strategies_for(study)
    models = {w.id: model_for(study, w) for w in study.writers if w.kind == "model"}
    jobs: list[Job] = []
    opinion = [c for c in claims if c.kind == "opinion"]
    for writer in study.writers:
        if writer.kind == "human" and not simulated_humans(study):
            continue
        for claim in opinion:
            jobs.extend(_writer_jobs(study, writer, claim, strategies, models))
    ctrl = control_writer(study)
    if ctrl is not None:
        strategy = strategies[study.control.strategy]
        for claim in (c for c in claims if c.kind == "control"):
            key = request_key(
                study.name, claim.key, "control", strategy.name, 0, strategy.prompt_hash
            )
            jobs.append(
                Job(key, claim, ctrl, strategy.name, 0, -1, strategy.prompt_hash, models[ctrl.id])
            )
    return [j for j in jobs if j.key not in done]


def _writer_jobs(
    study: Study,
    writer: Writer,
    claim: ClaimRef,
    strategies: dict[str, Strategy],
    models: dict[str, ModelInfo],
) -> list[Job]:
    if writer.kind == "human":
        return [
            Job(
                request_key(study.name, claim.key, writer.id, HUMAN_STRATEGY, slot, ""),
                claim,
                writer,
                HUMAN_STRATEGY,
                slot,
                1,
                "",
            )
            for slot in range(writer.per_claim)
        ]
    jobs = []
    for name in writer.strategies:
        strategy = strategies[name]
        for rep in range(study.arguments.replicates):
            key = request_key(study.name, claim.key, writer.id, name, rep, strategy.prompt_hash)
            jobs.append(
                Job(key, claim, writer, name, rep, 1, strategy.prompt_hash, models[writer.id])
            )
    return jobs
