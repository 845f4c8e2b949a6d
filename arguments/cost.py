"""The plan and its cost estimate, printed before anything is sent.

Input tokens are counted by the provider (one count per writer and strategy, on the longest
claim, so the estimate is an upper bound); output is bounded by max_tokens."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from arguments.errors import BudgetExceeded
from arguments.plan import Job
from arguments.types import GenerationRequest, ModelProvider


@dataclass(frozen=True)
class PlanLine:
    """One writer × strategy of the plan."""

    writer: str
    model: str
    strategy: str
    requests: int
    input_tokens: int
    output_tokens_max: int
    cost_usd: float


@dataclass(frozen=True)
class Estimate:
    """The plan's cost bound with every request sent once, and with every request regenerated
    up to `attempts` times (quality.on_fail = "regenerate"); `worst` is one attempt's bound per
    request key (what the budget reserves while the request is in flight)."""

    lines: tuple[PlanLine, ...]
    spent_usd: float
    budget_usd: float
    attempts: int = 1
    worst: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def requests(self) -> int:
        return sum(line.requests for line in self.lines)

    @property
    def cost_usd(self) -> float:
        return sum(line.cost_usd for line in self.lines)

    @property
    def regenerated_usd(self) -> float:
        """The bound when every request is answered `attempts` times."""
        return self.cost_usd * self.attempts

    def check_budget(self, allow_over: bool) -> None:
        """Raise BudgetExceeded when spent + estimate is above the budget (unless allowed)."""
        total = self.spent_usd + self.cost_usd
        if total > self.budget_usd and not allow_over:
            raise BudgetExceeded(
                f"estimated cost ${self.cost_usd:.2f} (plus ${self.spent_usd:.2f} already spent) "
                f"is above the study's budget of ${self.budget_usd:.2f}; raise "
                "arguments.budget_usd in the study file or pass --over-budget"
            )


Counter = Callable[[ModelProvider, GenerationRequest], Awaitable[int]]


async def estimate(
    jobs: list[Job],
    requests: dict[str, GenerationRequest],
    providers: dict[str, ModelProvider],
    count: Counter,
    *,
    batch: bool,
    spent_usd: float,
    budget_usd: float,
    attempts: int = 1,
) -> Estimate:
    """The plan grouped by writer and strategy, with counted input tokens and cost bounds."""
    groups: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for job in jobs:
        groups[(job.writer_label, job.strategy)].append(job)
    lines = []
    worst: dict[str, float] = {}
    for (writer, strategy), group in sorted(groups.items()):
        longest = max(group, key=lambda j: len(j.claim.text))
        request = requests[longest.key]
        per_request = await count(providers[longest.writer.id], request)
        model = group[0].model
        n = len(group)
        out_max = n * request.max_tokens
        cost = model.cost(n * per_request, out_max, batch=batch)
        lines.append(PlanLine(writer, model.id, strategy, n, n * per_request, out_max, cost))
        one = model.cost(per_request, request.max_tokens, batch=batch)
        worst.update((job.key, one) for job in group)
    return Estimate(tuple(lines), spent_usd, budget_usd, attempts, worst)
