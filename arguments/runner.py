"""One generation run: send requests (Messages or Batches), check quality, store rows.

Every attempt goes through the ledger (arguments.ledger): written before it is sent, closed
with its usage and cost as soon as the answer arrives, in the same transaction as the
argument it yields. Store writes run in worker threads so the event loop keeps sending. The
budget is enforced per attempt: spent + in-flight worst case + the next attempt's worst case
must stay within `arguments.budget_usd`, else the run stops taking work and says so."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select

from arguments import ledger
from arguments.dispatch import Dispatcher
from arguments.errors import BudgetExceeded, GenerationError
from arguments.lease import Lease
from arguments.plan import Job
from arguments.quality import QualityReport, check, shingles
from arguments.registry import FREE_PROVIDERS
from arguments.rows import to_row
from arguments.types import Completion, GenerationRequest, ModelProvider, ProviderError
from arguments.writer import LedgerWriter
from study import Study
from study.store import ArgumentRow, Store

if TYPE_CHECKING:
    from arguments.cost import Estimate
    from arguments.generate import GenerationSummary, Progress

T = TypeVar("T")


def spending(store: Store, study_id: int) -> ledger.Spending:
    """The study's spend from the ledger: billed attempts, and attempts of unknown outcome
    at their worst case."""
    with store.session() as session:
        return ledger.spending(session, study_id)


def spent_usd(store: Store, study_id: int) -> float:
    return spending(store, study_id).total_usd


@dataclass
class Budget:
    """Spent + in-flight worst case, kept in memory during a run."""

    limit: float
    enforce: bool
    committed: float

    def reserve(self, worst: float) -> None:
        if self.enforce and self.committed + worst > self.limit + 1e-12:
            raise BudgetExceeded(
                f"stopped at the budget: spent and in flight ${self.committed:.2f}, and the next "
                f"request (at most ${worst:.4f}) would pass arguments.budget_usd = "
                f"${self.limit:.2f}; raise it in the study file and run again to continue "
                "(stored arguments are kept)"
            )
        self.committed += worst

    def settle(self, worst: float, cost: float) -> None:
        self.committed += cost - worst


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
    lease: Lease | None = None
    budget: Budget = field(default_factory=lambda: Budget(0.0, False, 0.0))
    worst: dict[str, float] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: Counter[str] = field(default_factory=Counter)
    stored: set[str] = field(default_factory=set)
    written: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    flagged: int = 0
    cost: float = 0.0
    errors: list[str] = field(default_factory=list)
    seen: dict[int, list[frozenset[int]]] = field(default_factory=dict)
    done: int = 0
    stop: GenerationError | None = None
    by_key: dict[str, Job] = field(default_factory=dict)
    estimate: Estimate | None = None
    writer: LedgerWriter = field(init=False)
    key_cost: dict[str, float] = field(default_factory=dict)
    talks: list[Job] = field(default_factory=list)  # conversation slots to store

    def __post_init__(self) -> None:
        self.by_key = {j.key: j for j in self.jobs}
        self.writer = LedgerWriter(self.store, self.study_id, self.run_id)
        with self.store.session() as session:
            rows = session.execute(
                select(ArgumentRow.claim_id, ArgumentRow.text).where(
                    ArgumentRow.study_id == self.study_id, ArgumentRow.placeholder.is_(False)
                )
            )
            for claim_id, text in rows:
                self.seen.setdefault(claim_id, []).append(shingles(text))
            self.attempts, self.key_cost = ledger.answered_by_key(session, self.study_id)

    def settle(self, key: str, cost: float) -> None:
        """An attempt's outcome: its worst case (reserved when sent) becomes its cost."""
        self.budget.settle(self.worst.get(key, 0.0), cost)
        self.cost += cost
        self.key_cost[key] = self.key_cost.get(key, 0.0) + cost

    def halt(self, error: GenerationError) -> None:
        """Stop taking work (in-flight requests finish and are recorded)."""
        if self.stop is None:
            self.stop = error

    def assess(self, job: Job, completion: Completion) -> QualityReport:
        others = [] if completion.placeholder else self.seen.get(job.claim.id, [])
        return check(self.study, completion.text, completion.stop_reason, others)

    def keeps(self, report: QualityReport, attempts: int) -> bool:
        """Whether an answer is stored now (else regenerated: failed checks, attempts left)."""
        q = self.study.quality
        return report.ok or q.on_fail != "regenerate" or attempts >= q.max_attempts

    def argument(
        self, job: Job, completion: Completion, report: QualityReport, *, batch: bool
    ) -> ArgumentRow:
        row = to_row(
            self.study_id,
            job,
            self.requests[job.key],
            completion,
            report,
            attempts=self.attempts[job.key],
            batch=batch,
        )
        if job.key in self.key_cost:  # a paid provider: all attempts of this key
            row.cost_usd = self.key_cost[job.key]
        return row

    def kept(self, job: Job, completion: Completion, report: QualityReport) -> None:
        """Bookkeeping after an argument was committed."""
        if not completion.placeholder:
            self.seen.setdefault(job.claim.id, []).append(report.shingles)
        self.stored.add(job.key)
        self.written[job.writer_label] += 1
        self.flagged += not report.ok
        self.tick()

    def reject(self, job: Job, error: ProviderError) -> None:
        from arguments.errors import fatal

        problem = fatal(error)
        if problem is not None:
            self.halt(problem)
            return
        self.failed += 1
        if len(self.errors) < 5:
            self.errors.append(f"{job.writer_label}/{job.strategy}/{job.claim.key}: {error}")
        self.tick()

    def tick(self) -> None:
        self.done += 1
        self.progress.advance(self.done, len(self.jobs))

    async def send(self, provider: ModelProvider, job: Job) -> tuple[Completion, int | None]:
        """One answer for a job, each attempt written ahead; local providers (offline,
        replay) answer at once and cost nothing."""
        request = self.requests[job.key]
        if provider.name in FREE_PROVIDERS:
            return await provider.generate(request), None
        answered: list[int] = []

        async def once() -> Completion:
            if self.stop is not None:
                raise self.stop
            worst = self.worst.get(job.key, 0.0)
            self.budget.reserve(worst)
            item = ledger.Outgoing(job.key, job.writer.id, job.model.id, worst)
            try:
                attempt_id = await self.writer.open(item, "messages")
            except BaseException:
                self.budget.settle(worst, 0.0)
                raise
            try:
                completion = await provider.generate(request)
            except ProviderError as exc:
                await self.writer.failed(attempt_id, str(exc), unknown=exc.maybe_billed)
                if not exc.maybe_billed:
                    self.budget.settle(worst, 0.0)
                raise
            answered.append(attempt_id)
            return completion

        completion = await self.dispatcher.retrying(once)
        return completion, answered[-1]

    async def work(self, job: Job) -> None:
        """A job through the Messages API, regenerated while its quality checks fail."""
        provider = self.providers[job.writer.id]
        while self.stop is None:
            try:
                completion, attempt_id = await self.send(provider, job)
            except ProviderError as exc:
                self.reject(job, exc)
                return
            except GenerationError as exc:  # the budget, or the lease taken over
                self.halt(exc)
                return
            cost = job.model.cost(completion.input_tokens, completion.output_tokens)
            if attempt_id is not None:
                self.settle(job.key, cost)
            self.attempts[job.key] += 1
            report = self.assess(job, completion)
            keep = self.keeps(report, self.attempts[job.key])
            row = self.argument(job, completion, report, batch=False) if keep else None
            usage = (completion.input_tokens, completion.output_tokens, cost)
            self.writer.answered(attempt_id, usage, row)
            if keep:
                self.kept(job, completion, report)
                return

    async def messages(self, jobs: list[Job] | None = None) -> None:
        """Jobs (default: all) through the Messages API, bounded in flight and per minute."""
        todo = self.jobs if jobs is None else jobs
        try:
            await self.dispatcher.run(todo, self.work, until=lambda: self.stop is not None)
        finally:
            try:
                await self.writer.drain()
            finally:
                self.writer.close()

    def poll_seconds(self, override: float | None) -> float:
        return override or self.study.generation.batch_poll_seconds

    async def resume(self, poll_seconds: float | None) -> None:
        """Collect the study's batches (recorded, or adopted from the provider's list)."""
        from arguments.batches import resume

        await resume(self, self.poll_seconds(poll_seconds))

    async def batches(self, jobs: list[Job], poll_seconds: float | None) -> None:
        from arguments.batches import run_batches

        await run_batches(self, jobs, self.poll_seconds(poll_seconds))

    def summary(self) -> GenerationSummary:
        from arguments.generate import GenerationSummary

        spent = spending(self.store, self.study_id)
        return GenerationSummary(
            planned=len(self.jobs) + len(self.talks),
            written=sum(self.written.values()),
            by_writer=dict(self.written),
            failed=self.failed,
            flagged=self.flagged,
            cost_usd=self.cost,
            requests_sent=self.dispatcher.sent,
            retries=self.dispatcher.retried,
            errors=tuple(self.errors),
            estimate=self.estimate,
            spent_usd=spent.total_usd,
            unknown=spent.unknown,
            stopped=str(self.stop) if self.stop is not None else "",
        )
