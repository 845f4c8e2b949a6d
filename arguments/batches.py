"""Large runs through the Message Batches API (half price): submit, poll, collect, and
re-queue what errored, expired or failed its quality checks, for a bounded number of rounds.

Every submitted batch is recorded in the store before it is polled, so a re-run after a crash
collects the batches already paid for instead of submitting their requests again."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from arguments.plan import Job
from arguments.quality import QualityReport
from arguments.types import BatchProvider, Completion, GenerationRequest, ProviderError
from study.store import GenerationBatchRow, utcnow

if TYPE_CHECKING:
    from arguments.runner import Run

MAX_BATCH = 10_000


def batch_provider(run: Run, writer: str) -> BatchProvider:
    provider = run.providers[writer]
    if not isinstance(provider, BatchProvider):
        raise TypeError(f"writer {writer!r}: its provider {provider.name!r} has no batch API")
    return provider


def open_batches(run: Run) -> list[tuple[str, str, list[str]]]:
    """(writer id, provider batch id, keys) of this study's batches not yet collected."""
    with run.store.session() as session:
        rows = session.scalars(
            select(GenerationBatchRow).where(
                GenerationBatchRow.study_id == run.study_id,
                GenerationBatchRow.status == "submitted",
            )
        )
        return [(r.model, r.provider_batch_id, list(r.request_keys["keys"])) for r in rows]


def record_batch(run: Run, writer: str, batch_id: str, keys: list[str]) -> None:
    with run.store.session() as session:
        session.add(
            GenerationBatchRow(
                study_id=run.study_id,
                provider_batch_id=batch_id,
                model=writer,
                request_keys={"keys": keys},
            )
        )


def close_batch(run: Run, batch_id: str) -> None:
    with run.store.session() as session:
        row = session.scalar(
            select(GenerationBatchRow).where(GenerationBatchRow.provider_batch_id == batch_id)
        )
        if row is not None:
            row.status, row.ended_at = "collected", utcnow()


async def run_batches(run: Run, poll_seconds: float) -> None:
    """Batch-capable writers go through batches; the others through the Messages API."""
    batchable = [j for j in run.jobs if isinstance(run.providers[j.writer.id], BatchProvider)]
    others = [j for j in run.jobs if j not in batchable]
    if others:
        await run.messages(others)
    queue = {j.key: j for j in batchable}
    attempts: Counter[str] = Counter()
    last: dict[str, tuple[Completion, QualityReport]] = {}
    in_flight = [b for b in open_batches(run) if b[0] in {j.writer.id for j in batchable}]
    resumed = {k for _, _, keys in in_flight for k in keys}
    rounds = run.study.generation.batch_max_rounds
    for round_no in range(rounds + 1):
        fresh = [j for k, j in queue.items() if k not in resumed]
        if round_no < rounds:
            in_flight += await submit(run, fresh)
        resumed = set()
        if not in_flight:
            break
        for writer, batch_id, keys in in_flight:
            await wait_for(run, writer, batch_id, poll_seconds)
            await collect(run, writer, batch_id, keys, queue, attempts, last)
        in_flight = []
        if not queue:
            break
    for key, job in queue.items():
        if key in last:  # failed its checks every round: kept and flagged
            await run.accept(job, *last[key], attempts[key], batch=True)
            continue
        run.reject(
            job, ProviderError(f"still failing after {rounds} batch rounds", retryable=False)
        )


async def submit(run: Run, jobs: list[Job]) -> list[tuple[str, str, list[str]]]:
    by_writer: dict[str, list[Job]] = {}
    for job in jobs:
        by_writer.setdefault(job.writer.id, []).append(job)
    out = []
    for writer, group in by_writer.items():
        provider = batch_provider(run, writer)
        for i in range(0, len(group), MAX_BATCH):
            requests = [run.requests[j.key] for j in group[i : i + MAX_BATCH]]
            batch_id = await run.dispatcher.retrying(submitter(provider, requests))
            keys = [r.key for r in requests]
            record_batch(run, writer, batch_id, keys)
            out.append((writer, batch_id, keys))
    return out


def submitter(
    provider: BatchProvider, requests: list[GenerationRequest]
) -> Callable[[], Awaitable[str]]:
    return lambda: provider.submit_batch(requests)


async def wait_for(run: Run, writer: str, batch_id: str, poll_seconds: float) -> None:
    provider = batch_provider(run, writer)
    while True:
        status = await run.dispatcher.retrying(lambda: provider.poll_batch(batch_id))
        if status.ended:
            return
        await asyncio.sleep(poll_seconds)


async def collect(
    run: Run,
    writer: str,
    batch_id: str,
    keys: list[str],
    queue: dict[str, Job],
    attempts: Counter[str],
    last: dict[str, tuple[Completion, QualityReport]],
) -> None:
    provider = batch_provider(run, writer)
    results = await run.dispatcher.retrying(lambda: provider.batch_results(batch_id))
    for key in keys:
        job = queue.get(key)
        if job is None:
            continue
        attempts[key] += 1
        outcome = results.get(key, ProviderError("missing from the batch results", retryable=True))
        if isinstance(outcome, Completion):
            report = run.assess(job, outcome)
            if run.retry_for_quality(report, attempts[key]):
                last[key] = (outcome, report)
                continue
            del queue[key]
            await run.accept(job, outcome, report, attempts[key], batch=True)
        elif not outcome.retryable:
            del queue[key]
            run.reject(job, outcome)
    await run.flush()
    close_batch(run, batch_id)
