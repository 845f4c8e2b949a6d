"""The stored argument for a job's completion (pure: no I/O)."""

from __future__ import annotations

from arguments.plan import Job
from arguments.quality import QualityReport
from arguments.types import Completion, GenerationRequest
from study.store import ArgumentRow


def to_row(
    study_id: int,
    job: Job,
    request: GenerationRequest,
    completion: Completion,
    report: QualityReport,
    *,
    attempts: int = 1,
    batch: bool = False,
) -> ArgumentRow:
    """The stored argument for a job's completion (pure: no I/O)."""
    provider, _, model = request.model.partition("/")
    return ArgumentRow(
        study_id=study_id,
        claim_id=job.claim.id,
        request_key=job.key,
        writer=job.writer_label,
        writer_kind="control" if job.direction < 0 else job.writer.kind,
        provider=provider,
        model=model,
        generation=job.model.generation,
        model_class=job.model.model_class,
        generation_order=job.model.order,
        strategy=job.strategy,
        replicate=job.replicate,
        prompt_hash=job.prompt_hash,
        request_params={
            "max_tokens": request.max_tokens,
            "system": request.system,
            "user": request.user,
            "api": "batch" if batch else "messages",
        },
        direction=job.direction,
        text=completion.text,
        stop_reason=completion.stop_reason,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=job.model.cost(completion.input_tokens, completion.output_tokens, batch=batch),
        quality=report.as_json(attempts),
        status="ok" if report.ok else "flagged",
        placeholder=completion.placeholder,
    )
