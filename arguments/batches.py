"""Large runs through the Message Batches API (half price): submit, poll, collect, and
re-queue what errored, expired or failed its quality checks, for a bounded number of rounds.

Every item is written to the ledger (state `sent`, with a submission token) before its batch
is submitted, and the batch id is recorded right after. Whatever the current mode, a run
starts by collecting the study's recorded batches, and by looking in the provider's own batch
list for a submission that was never recorded (a crash between submitting and recording):
a batch with the same number of requests, created after the submission was written, whose
results' custom_ids are exactly the submission's keys, is adopted instead of paid again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from arguments import ledger
from arguments.errors import GenerationError, describe
from arguments.plan import Job
from arguments.types import BatchProvider, Completion, GenerationRequest, ProviderError
from study.store import GenerationBatchRow, utcnow

if TYPE_CHECKING:
    from arguments.runner import Run

MAX_BATCH = 10_000
CLOCK_SKEW = timedelta(minutes=5)  # between this machine's clock and the provider's
Open = tuple[str, str, list[str]]  # writer id, provider batch id, request keys


def batch_provider(run: Run, writer: str) -> BatchProvider:
    provider = run.providers[writer]
    if not isinstance(provider, BatchProvider):
        raise TypeError(f"writer {writer!r}: its provider {provider.name!r} has no batch API")
    return provider


def batch_writers(run: Run) -> set[str]:
    return {w for w, p in run.providers.items() if isinstance(p, BatchProvider)}


def open_batches(run: Run) -> list[Open]:
    """This study's batches not yet collected, of writers that are still in the plan."""
    writers = batch_writers(run)
    with run.store.session() as session:
        rows = session.scalars(
            select(GenerationBatchRow).where(
                GenerationBatchRow.study_id == run.study_id,
                GenerationBatchRow.status == "submitted",
            )
        )
        return [
            (r.model, r.provider_batch_id, list(r.request_keys["keys"]))
            for r in rows
            if r.model in writers
        ]


def record_batch(run: Run, writer: str, batch_id: str, keys: list[str], submission: str) -> None:
    """The batch and its items' batch id, in one transaction."""
    with run.store.session() as session:
        session.add(
            GenerationBatchRow(
                study_id=run.study_id,
                provider_batch_id=batch_id,
                model=writer,
                request_keys={"keys": keys},
            )
        )
        ledger.assign_batch(session, submission, batch_id)


async def resume(run: Run, poll_seconds: float) -> None:
    """Adopt unrecorded submissions, then collect every open batch (any mode)."""
    writers = batch_writers(run)
    with run.store.session() as session:
        submissions = ledger.unrecorded_submissions(session, run.study_id)
        recorded = set(session.scalars(select(GenerationBatchRow.provider_batch_id)))
    for sub in (s for s in submissions if s.writer in writers):
        batch_id = await find_batch(run, sub, recorded, poll_seconds)
        if batch_id is None:
            with run.store.session() as session:
                ledger.fail_submission(
                    session,
                    sub.token,
                    "never created: no batch with these requests in the provider's batch list",
                )
            continue
        recorded.add(batch_id)
        record_batch(run, sub.writer, batch_id, list(sub.keys), sub.token)
    for writer, batch_id, keys in open_batches(run):
        await wait_for(run, writer, batch_id, poll_seconds)
        await collect(run, writer, batch_id, keys, {j.key: j for j in run.jobs}, final=False)


async def find_batch(
    run: Run, sub: ledger.Submission, recorded: set[str], poll_seconds: float
) -> str | None:
    """The provider's batch that holds exactly this submission's requests, if any."""
    provider = batch_provider(run, sub.writer)
    since = sub.since - CLOCK_SKEW
    listed = await run.dispatcher.retrying(lambda: provider.list_batches(since))
    for batch in listed:
        if batch.id in recorded or batch.total != len(sub.keys):
            continue
        if set(await results_of(run, sub.writer, batch.id, poll_seconds)) == set(sub.keys):
            return batch.id
    return None


async def results_of(
    run: Run, writer: str, batch_id: str, poll_seconds: float
) -> dict[str, Completion | ProviderError]:
    await wait_for(run, writer, batch_id, poll_seconds)
    provider = batch_provider(run, writer)
    return await run.dispatcher.retrying(lambda: provider.batch_results(batch_id))


async def run_batches(run: Run, jobs: list[Job], poll_seconds: float) -> None:
    """Batch-capable writers go through batches; the others through the Messages API."""
    writers = batch_writers(run)
    batchable = [j for j in jobs if j.writer.id in writers]
    others = [j for j in jobs if j.writer.id not in writers]
    if others:
        await run.messages(others)
    queue = {j.key: j for j in batchable}
    rounds = run.study.generation.batch_max_rounds
    for round_no in range(rounds):
        if run.stop is not None or not queue:
            break
        for writer, batch_id, keys in await submit(run, list(queue.values())):
            await wait_for(run, writer, batch_id, poll_seconds)
            await collect(run, writer, batch_id, keys, queue, final=round_no == rounds - 1)
    if run.stop is not None:
        return
    for job in queue.values():
        run.reject(
            job, ProviderError(f"still failing after {rounds} batch rounds", retryable=False)
        )


def reserve(run: Run, jobs: list[Job]) -> list[Job]:
    """The jobs whose worst case fits the budget (the run halts at the first that does not)."""
    fits = []
    for job in jobs:
        try:
            run.budget.reserve(run.worst.get(job.key, 0.0))
        except GenerationError as exc:
            run.halt(exc)
            break
        fits.append(job)
    return fits


def write_ahead(run: Run, jobs: list[Job], submission: str) -> None:
    with run.store.session() as session:
        if run.lease is not None:
            run.lease.check(session)
        items = [
            ledger.Outgoing(j.key, j.writer.id, j.model.id, run.worst.get(j.key, 0.0)) for j in jobs
        ]
        ledger.open_attempts(
            session, run.study_id, items, api="batch", run=run.run_id, submission=submission
        )


async def submit(run: Run, jobs: list[Job]) -> list[Open]:
    by_writer: dict[str, list[Job]] = {}
    for job in jobs:
        by_writer.setdefault(job.writer.id, []).append(job)
    out: list[Open] = []
    for writer, group in by_writer.items():
        provider = batch_provider(run, writer)
        for i in range(0, len(group), MAX_BATCH):
            chunk = reserve(run, group[i : i + MAX_BATCH])
            if not chunk:
                return out
            submission = uuid.uuid4().hex
            try:
                write_ahead(run, chunk, submission)
            except GenerationError as exc:  # the lease was taken over
                run.halt(exc)
                return out
            requests = [run.requests[j.key] for j in chunk]
            keys = [r.key for r in requests]
            try:
                batch_id = await run.dispatcher.retrying(submitter(provider, requests))
            except ProviderError as exc:
                if not exc.maybe_billed:
                    with run.store.session() as session:
                        ledger.fail_submission(session, submission, str(exc))
                run.halt(describe(exc))
                return out
            record_batch(run, writer, batch_id, keys, submission)
            out.append((writer, batch_id, keys))
            if run.stop is not None:
                return out
    return out


def submitter(
    provider: BatchProvider, requests: list[GenerationRequest]
) -> Callable[[], Awaitable[str]]:
    """One submission; retried only when the API said no (a lost answer is never retried:
    the batch may exist, and the next run adopts it from the provider's list)."""

    async def once() -> str:
        try:
            return await provider.submit_batch(requests)
        except ProviderError as exc:
            if exc.maybe_billed:
                raise ProviderError(
                    str(exc), retryable=False, maybe_billed=True, fix=exc.fix
                ) from exc
            raise

    return once


async def wait_for(run: Run, writer: str, batch_id: str, poll_seconds: float) -> None:
    provider = batch_provider(run, writer)
    while True:
        status = await run.dispatcher.retrying(lambda: provider.poll_batch(batch_id))
        if status.ended:
            return
        await asyncio.sleep(poll_seconds)


async def collect(
    run: Run, writer: str, batch_id: str, keys: list[str], queue: dict[str, Job], *, final: bool
) -> None:
    """Read a batch's results and commit them (every item's attempt, the kept arguments, the
    batch closed) in one transaction; what is stored or refused for good leaves the queue."""
    provider = batch_provider(run, writer)
    results = await run.dispatcher.retrying(lambda: provider.batch_results(batch_id))
    refused: list[tuple[Job, ProviderError]] = []
    with run.store.session() as session:
        for key in keys:
            outcome = results.get(key) or ProviderError("missing from the results", retryable=True)
            queued = queue.get(key)
            if isinstance(outcome, ProviderError):
                ledger.close_batch_item(session, batch_id, key, None, str(outcome))
                run.settle(key, 0.0)
                if queued is not None and not outcome.retryable:
                    refused.append((queue.pop(key), outcome))
                continue
            job = queued or run.by_key.get(key)
            model = job.model if job is not None else None
            cost = (
                model.cost(outcome.input_tokens, outcome.output_tokens, batch=True) if model else 0
            )
            usage = (outcome.input_tokens, outcome.output_tokens, cost)
            ledger.close_batch_item(session, batch_id, key, usage)
            run.settle(key, cost)
            if queued is not None:
                keep_result(run, session, queue, queued, outcome, final)
        close_batch(session, batch_id)
    for job, error in refused:
        run.reject(job, error)


def keep_result(
    run: Run,
    session: Session,
    queue: dict[str, Job],
    job: Job,
    completion: Completion,
    final: bool,
) -> None:
    """Store a batch answer unless it is to be regenerated (failed checks, rounds left)."""
    run.attempts[job.key] += 1
    report = run.assess(job, completion)
    if not (final or run.keeps(report, run.attempts[job.key])):
        return
    ledger.store_argument(session, run.argument(job, completion, report, batch=True))
    del queue[job.key]
    run.kept(job, completion, report)


def close_batch(session: Session, batch_id: str) -> None:
    row = session.scalar(
        select(GenerationBatchRow).where(GenerationBatchRow.provider_batch_id == batch_id)
    )
    if row is not None:
        row.status, row.ended_at = "collected", utcnow()
