"""Turning a study's plan into stored arguments: plan, estimate, budget check, then send every
missing request through the dispatcher and store each argument with its usage, cost and
quality checks. A re-run sends only what the store does not have yet."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from arguments.cost import Estimate, estimate
from arguments.dispatch import Dispatcher, Limits
from arguments.errors import RunStopped, describe
from arguments.plan import (
    HUMAN_STRATEGY,
    SIMULATED_HUMAN,
    ClaimRef,
    Job,
    plan_jobs,
    simulated_humans,
)
from arguments.providers import get_provider
from arguments.strategies import Strategy, strategies_for
from arguments.types import GenerationRequest, ModelProvider, ProviderConfig, ProviderError
from study import Study
from study.store import Store, claims_of, request_keys

if TYPE_CHECKING:
    from arguments.lease import Lease
    from arguments.runner import Run

T = TypeVar("T")


class Progress(Protocol):
    """Where progress goes (a terminal bar, a Prefect artifact, nothing)."""

    def plan(self, estimate: Estimate) -> None: ...

    def advance(self, done: int, total: int) -> None: ...


class NoProgress:
    def plan(self, estimate: Estimate) -> None:
        return None

    def advance(self, done: int, total: int) -> None:
        return None


@dataclass(frozen=True)
class RunOptions:
    """How one generation run behaves. `limits` overrides the study's [generation] values
    (tests use tiny delays); `dry_run` stops after the estimate; `allow_over_budget` lifts
    the budget (before and while running); `steal_lease` takes the study's generation lease
    from another run."""

    allow_over_budget: bool = False
    dry_run: bool = False
    limits: Limits | None = None
    poll_seconds: float | None = None
    progress: Progress = field(default_factory=NoProgress)
    steal_lease: bool = False


@dataclass(frozen=True)
class GenerationSummary:
    """What a run did. `cost_usd` is what this run's attempts cost (regenerations and batch
    items included); `spent_usd` is the study's total spend after it, with `unknown` attempts
    whose outcome is unknown counted at their worst case; `stopped` says why a run ended
    before its plan was done."""

    planned: int
    written: int
    by_writer: dict[str, int]
    failed: int = 0
    flagged: int = 0
    cost_usd: float = 0.0
    requests_sent: int = 0
    retries: int = 0
    errors: tuple[str, ...] = ()
    estimate: Estimate | None = None
    writing_tasks: int = 0
    spent_usd: float = 0.0
    unknown: int = 0
    stopped: str = ""


def claim_refs(store: Store, study_id: int) -> list[ClaimRef]:
    with store.session() as session:
        return [
            ClaimRef(c.id, c.key, c.topic, c.kind, c.text) for c in claims_of(session, study_id)
        ]


def pending_jobs(store: Store, study: Study, study_id: int) -> list[Job]:
    """Jobs of the study whose request key is not stored yet."""
    with store.session() as session:
        done = request_keys(session, study_id)
    return plan_jobs(study, claim_refs(store, study_id), done)


def build_request(
    study: Study, job: Job, strategies: dict[str, Strategy] | None = None
) -> GenerationRequest:
    """The request for one job (pure: no I/O); pass `strategies_for(study)` when building
    many."""
    params = {
        "claim": job.claim.text,
        "claim_key": job.claim.key,
        "writer": job.writer_label,
        "strategy": job.strategy,
        "replicate": job.replicate,
        "words_min": study.arguments.words_min,
        "words_max": study.arguments.words_max,
    }
    if job.strategy == HUMAN_STRATEGY:
        return GenerationRequest(
            job.key, SIMULATED_HUMAN.id, "", job.claim.text, study.arguments.max_tokens, params
        )
    strategy = (strategies or strategies_for(study))[job.strategy]
    user = strategy.render(
        claim=job.claim.text,
        topic=job.claim.topic,
        words_min=study.arguments.words_min,
        words_max=study.arguments.words_max,
    )
    return GenerationRequest(
        job.key, job.writer.model, strategy.system, user, study.arguments.max_tokens, params
    )


def study_limits(study: Study) -> Limits:
    g = study.generation
    return Limits(
        g.max_in_flight,
        float(g.requests_per_minute),
        g.max_attempts,
        g.retry_base_seconds,
        g.retry_max_seconds,
    )


def make_providers(study: Study, jobs: list[Job]) -> dict[str, ModelProvider]:
    """One provider per writer in the plan (raises GenerationError, e.g. a missing API key,
    before anything is sent)."""
    out: dict[str, ModelProvider] = {}
    for job in jobs:
        if job.writer.id in out:
            continue
        spec = SIMULATED_HUMAN.id if job.strategy == HUMAN_STRATEGY else job.writer.model
        config = ProviderConfig(study.generation.timeout_seconds, job.writer.replay_file)
        out[job.writer.id] = get_provider(spec, config)
    return out


def generate_all(
    store: Store, study: Study, study_id: int, options: RunOptions | None = None
) -> GenerationSummary:
    """Write every missing argument of the study and store each one as soon as it exists."""
    return run_sync(generate_async(store, study, study_id, options or RunOptions()))


async def generate_async(
    store: Store, study: Study, study_id: int, options: RunOptions
) -> GenerationSummary:
    """Plan, estimate and run under the study's generation lease (not for a dry run, which
    sends nothing). Raises RunStopped when the run ended early (its summary attached)."""
    from arguments.lease import acquire

    if options.dry_run:
        return await plan_and_run(store, study, study_id, options, None)
    lease = await asyncio.to_thread(acquire, store, study_id, study.name, steal=options.steal_lease)
    keeper = asyncio.create_task(lease.keep())
    try:
        return await plan_and_run(store, study, study_id, options, lease)
    finally:
        keeper.cancel()
        await asyncio.to_thread(lease.release)


async def plan_and_run(
    store: Store, study: Study, study_id: int, options: RunOptions, lease: Lease | None
) -> GenerationSummary:
    from arguments.conversation import is_conversation
    from arguments.human import create_writing_tasks

    jobs = pending_jobs(store, study, study_id)
    tasks = (
        0
        if simulated_humans(study) or options.dry_run
        else create_writing_tasks(store, study, study_id)
    )
    talks = [j for j in jobs if is_conversation(j)]
    jobs = [j for j in jobs if not is_conversation(j)]
    if not jobs:
        return await slots_only(store, study, study_id, talks, options, tasks)
    providers = make_providers(study, jobs)
    try:
        run = new_run(store, study, study_id, jobs, providers, options)
        run.lease = run.writer.lease = lease
        run.talks = talks
        await start_run(run, options)
        summary = dataclasses.replace(run.summary(), writing_tasks=tasks)
    except ProviderError as exc:
        raise describe(exc) from None
    finally:
        for provider in providers.values():
            await provider.aclose()
    if summary.stopped:
        raise RunStopped(summary.stopped, summary)
    return summary


def new_run(
    store: Store,
    study: Study,
    study_id: int,
    jobs: list[Job],
    providers: dict[str, ModelProvider],
    options: RunOptions,
) -> Run:
    from arguments.runner import Run

    strategies = strategies_for(study)
    requests = {job.key: build_request(study, job, strategies) for job in jobs}
    dispatcher = Dispatcher.create(options.limits or study_limits(study), study.study.seed)
    return Run(store, study, study_id, jobs, requests, providers, dispatcher, options.progress)


async def start_run(run: Run, options: RunOptions) -> None:
    """Collect batches, estimate what is left, check the budget, send."""
    from arguments.runner import Budget, spent_usd

    store, study, study_id, jobs = run.store, run.study, run.study_id, run.jobs
    providers, requests, dispatcher = run.providers, run.requests, run.dispatcher
    if not options.dry_run:
        await run.resume(options.poll_seconds)
    left = [j for j in jobs if j.key not in run.stored]
    batch = study.generation.mode == "batch"
    q = study.quality
    plan = await estimate(
        left,
        requests,
        providers,
        lambda provider, request: dispatcher.retrying(lambda: provider.count_tokens(request)),
        batch=batch,
        spent_usd=spent_usd(store, study_id),
        budget_usd=study.arguments.budget_usd,
        attempts=q.max_attempts if q.on_fail == "regenerate" else 1,
    )
    plan = with_conversations(plan, study, run.talks)
    run.estimate, run.worst = plan, plan.worst
    options.progress.plan(plan)
    plan.check_budget(options.allow_over_budget)
    if not options.dry_run:
        run.written.update(store_slots(store, study, study_id, run.talks))
    if options.dry_run or not left:
        return
    run.budget = Budget(plan.budget_usd, not options.allow_over_budget, plan.spent_usd)
    await (run.batches(left, options.poll_seconds) if batch else run.messages(left))


def with_conversations(plan: Estimate, study: Study, talks: list[Job]) -> Estimate:
    """The estimate with the planned conversations at their worst case."""
    from arguments.conversation import conversation_lines

    if not talks:
        return plan
    lines = conversation_lines(study, talks, strategies_for(study))
    return dataclasses.replace(plan, lines=plan.lines + tuple(lines))


def store_slots(store: Store, study: Study, study_id: int, talks: list[Job]) -> dict[str, int]:
    """Store the conversation slots of `talks` (nothing is sent); returns slots per writer."""
    from arguments.conversation import slot_row
    from arguments.ledger import store_argument

    strategies = strategies_for(study)
    with store.session() as session:
        for job in talks:
            store_argument(session, slot_row(study_id, job, strategies))
    counts: dict[str, int] = {}
    for job in talks:
        counts[job.writer_label] = counts.get(job.writer_label, 0) + 1
    return counts


async def slots_only(
    store: Store,
    study: Study,
    study_id: int,
    talks: list[Job],
    options: RunOptions,
    tasks: int,
) -> GenerationSummary:
    """A run with only conversation slots to store: estimate, check the budget, store."""
    from arguments.runner import spent_usd

    if not talks:
        return GenerationSummary(0, 0, {}, writing_tasks=tasks)
    empty = Estimate((), spent_usd(store, study_id), study.arguments.budget_usd)
    plan = with_conversations(empty, study, talks)
    options.progress.plan(plan)
    plan.check_budget(options.allow_over_budget)
    if options.dry_run:
        return GenerationSummary(len(talks), 0, {}, estimate=plan, writing_tasks=tasks)
    written = store_slots(store, study, study_id, talks)
    return GenerationSummary(
        len(talks),
        len(talks),
        written,
        estimate=plan,
        writing_tasks=tasks,
        spent_usd=plan.spent_usd,
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, also when this thread already runs an
    event loop (then in a fresh thread with its own loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=contextvars.copy_context().run, args=(target,))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
