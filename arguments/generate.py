"""Turning jobs into stored arguments (the walking skeleton: one request at a time)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from arguments.plan import HUMAN_STRATEGY, ClaimRef, Job, plan_jobs
from arguments.providers import get_provider, split_model
from arguments.strategies import get_strategy
from arguments.types import Completion, GenerationRequest
from study.config import Study
from study.store import ArgumentRow, Store
from study.store.repo import claims_of, request_keys

SIMULATED_HUMAN = "offline/simulated-human"


@dataclass(frozen=True)
class GenerationSummary:
    planned: int
    written: int
    by_writer: dict[str, int]


def pending_jobs(store: Store, study: Study, study_id: int) -> list[Job]:
    """Jobs of the study whose request key is not stored yet."""
    with store.session() as session:
        claims = [
            ClaimRef(c.id, c.key, c.topic, c.kind, c.text) for c in claims_of(session, study_id)
        ]
        done = request_keys(session, study_id)
    return plan_jobs(study, claims, done)


def build_request(study: Study, job: Job) -> GenerationRequest:
    """The request for one job (pure: no I/O)."""
    params = {
        "claim": job.claim.text,
        "words_min": study.arguments.words_min,
        "words_max": study.arguments.words_max,
    }
    if job.strategy == HUMAN_STRATEGY:
        return GenerationRequest(
            job.key, SIMULATED_HUMAN, "", job.claim.text, study.arguments.max_tokens, params
        )
    strategy = get_strategy(job.strategy)
    user = strategy.render(
        claim=job.claim.text,
        topic=job.claim.topic,
        words_min=study.arguments.words_min,
        words_max=study.arguments.words_max,
    )
    return GenerationRequest(
        job.key, job.writer.model, strategy.system, user, study.arguments.max_tokens, params
    )


def to_row(
    study_id: int, job: Job, request: GenerationRequest, completion: Completion
) -> ArgumentRow:
    """The stored argument for a job's completion (pure: no I/O)."""
    provider, model = split_model(request.model)
    writer = "control" if job.direction < 0 else job.writer.id
    return ArgumentRow(
        study_id=study_id,
        claim_id=job.claim.id,
        request_key=job.key,
        writer=writer,
        writer_kind="control" if job.direction < 0 else job.writer.kind,
        provider=provider,
        model=model,
        generation=job.writer.generation,
        model_class=job.writer.model_class,
        generation_order=job.writer.order,
        strategy=job.strategy,
        replicate=job.replicate,
        prompt_hash=job.prompt_hash,
        request_params={
            "max_tokens": request.max_tokens,
            "system": request.system,
            "user": request.user,
        },
        direction=job.direction,
        text=completion.text,
        stop_reason=completion.stop_reason,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        placeholder=completion.placeholder,
    )


def generate_all(store: Store, study: Study, study_id: int) -> GenerationSummary:
    """Write every missing argument of the study and store each one as soon as it exists."""
    jobs = pending_jobs(store, study, study_id)
    written: Counter[str] = Counter()
    for job in jobs:
        request = build_request(study, job)
        completion = get_provider(request.model).generate(request)
        with store.session() as session:
            session.add(to_row(study_id, job, request, completion))
        written[job.writer.id if job.direction > 0 else "control"] += 1
    return GenerationSummary(len(jobs), sum(written.values()), dict(written))
