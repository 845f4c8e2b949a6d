"""One generation run: send requests (Messages or Batches), check quality, store rows.

Rows are written in small transactions from a worker thread, so the event loop keeps sending
while the store writes; a crash loses at most the last unwritten handful, which a re-run asks
for again."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from arguments.dispatch import Dispatcher
from arguments.errors import GenerationError
from arguments.plan import Job
from arguments.quality import QualityReport, check, shingles
from arguments.registry import FREE_PROVIDERS
from arguments.types import Completion, GenerationRequest, ModelProvider, ProviderError
from study import Study
from study.store import ArgumentRow, Store

if TYPE_CHECKING:
    from arguments.cost import Estimate
    from arguments.generate import GenerationSummary, Progress

FLUSH_ROWS = 64
FLUSH_SECONDS = 1.0
FATAL_STATUS = {
    401: "the API rejected the key (HTTP 401); check ANTHROPIC_API_KEY",
    403: "the API refused the request (HTTP 403); check the key's permissions",
}


def spent_usd(store: Store, study_id: int) -> float:
    with store.session() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(ArgumentRow.cost_usd), 0.0)).where(
                ArgumentRow.study_id == study_id
            )
        )
    return float(total or 0.0)


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


def row_values(row: ArgumentRow) -> dict[str, Any]:
    """A new row's column values (unset columns left to their defaults)."""
    return {
        c.key: getattr(row, c.key)
        for c in ArgumentRow.__table__.columns
        if getattr(row, c.key) is not None
    }


def store_rows(store: Store, rows: list[ArgumentRow]) -> None:
    """Insert rows in one statement; rows whose key another run stored meanwhile are skipped,
    never doubled."""
    values = [row_values(r) for r in rows]
    try:
        with store.session() as session:
            session.execute(insert(ArgumentRow), values)
    except IntegrityError:
        for value in values:
            try:
                with store.session() as session:
                    session.execute(insert(ArgumentRow), [value])
            except IntegrityError:
                continue


@dataclass
class Run:
    store: Store
    study: Study
    study_id: int
    jobs: list[Job]
    requests: dict[str, GenerationRequest]
    providers: dict[str, ModelProvider]
    dispatcher: Dispatcher
    progress: Progress
    written: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    flagged: int = 0
    cost: float = 0.0
    errors: list[str] = field(default_factory=list)
    pending: list[ArgumentRow] = field(default_factory=list)
    seen: dict[int, list[frozenset[int]]] = field(default_factory=dict)
    done: int = 0
    flushed: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        with self.store.session() as session:
            rows = session.execute(
                select(ArgumentRow.claim_id, ArgumentRow.text).where(
                    ArgumentRow.study_id == self.study_id, ArgumentRow.placeholder.is_(False)
                )
            )
            for claim_id, text in rows:
                self.seen.setdefault(claim_id, []).append(shingles(text))

    def assess(self, job: Job, completion: Completion) -> QualityReport:
        others = [] if completion.placeholder else self.seen.get(job.claim.id, [])
        return check(self.study, completion.text, completion.stop_reason, others)

    def retry_for_quality(self, report: QualityReport, attempts: int) -> bool:
        q = self.study.quality
        return not report.ok and q.on_fail == "regenerate" and attempts < q.max_attempts

    async def accept(
        self, job: Job, completion: Completion, report: QualityReport, attempts: int, batch: bool
    ) -> None:
        row = to_row(
            self.study_id,
            job,
            self.requests[job.key],
            completion,
            report,
            attempts=attempts,
            batch=batch,
        )
        if not completion.placeholder:
            self.seen.setdefault(job.claim.id, []).append(shingles(completion.text))
        self.pending.append(row)
        self.written[job.writer_label] += 1
        self.flagged += not report.ok
        self.cost += row.cost_usd
        self.tick()
        if len(self.pending) >= FLUSH_ROWS or time.monotonic() - self.flushed > FLUSH_SECONDS:
            await self.flush()

    def reject(self, job: Job, error: ProviderError) -> None:
        if error.status in FATAL_STATUS:
            raise GenerationError(FATAL_STATUS[error.status])
        self.failed += 1
        if len(self.errors) < 5:
            self.errors.append(f"{job.writer_label}/{job.strategy}/{job.claim.key}: {error}")
        self.tick()

    def tick(self) -> None:
        self.done += 1
        self.progress.advance(self.done, len(self.jobs))

    async def flush(self) -> None:
        self.flushed = time.monotonic()
        rows, self.pending = self.pending, []
        if rows:
            await asyncio.to_thread(store_rows, self.store, rows)

    async def send(self, provider: ModelProvider, request: GenerationRequest) -> Completion:
        """Local providers (offline, replay) answer at once; services go through the limits."""
        if provider.name in FREE_PROVIDERS:
            return await provider.generate(request)
        return await self.dispatcher.call(provider, request)

    async def messages(self, jobs: list[Job] | None = None) -> None:
        """Jobs (default: all) through the Messages API, bounded in flight and per minute."""

        async def work(job: Job) -> None:
            provider = self.providers[job.writer.id]
            for attempt in range(1, self.study.quality.max_attempts + 1):
                try:
                    completion = await self.send(provider, self.requests[job.key])
                except ProviderError as exc:
                    self.reject(job, exc)
                    return
                report = self.assess(job, completion)
                if not self.retry_for_quality(report, attempt):
                    await self.accept(job, completion, report, attempt, batch=False)
                    return

        try:
            await self.dispatcher.run(self.jobs if jobs is None else jobs, work)
        finally:
            await self.flush()

    async def batches(self, poll_seconds: float | None) -> None:
        from arguments.batches import run_batches

        try:
            await run_batches(self, poll_seconds or self.study.generation.batch_poll_seconds)
        finally:
            await self.flush()

    def summary(self, plan: Estimate) -> GenerationSummary:
        from arguments.generate import GenerationSummary

        return GenerationSummary(
            planned=len(self.jobs),
            written=sum(self.written.values()),
            by_writer=dict(self.written),
            failed=self.failed,
            flagged=self.flagged,
            cost_usd=self.cost,
            requests_sent=self.dispatcher.sent,
            retries=self.dispatcher.retried,
            errors=tuple(self.errors),
            estimate=plan,
        )
