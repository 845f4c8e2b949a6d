"""Conversation writers: the slots participants converse in, and their worst-case cost.

A conversation writer (`format = "conversation"` in the study file) writes nothing ahead of
fieldwork. Each of its jobs (claim, strategy, replicate) becomes a conversation slot: an
argument row with `format = "conversation"` whose text is the system prompt of the
conversation, assigned to participants exactly like a static argument (same claim, same
direction, rated before and after). The replies are written during fieldwork, one request per
(session, item, turn) through the one provider wrapper and the spending ledger
(arguments.replies). The budget holds every planned conversation at its worst case: the
maximum participant turns, each reply at its token bound, with a prompt bound by
`ConversationLimits.worst_input_tokens`."""

from __future__ import annotations

from collections import defaultdict

from arguments.cost import PlanLine
from arguments.plan import Job
from arguments.registry import FREE_PROVIDERS
from arguments.strategies import Strategy
from study import Study
from study.store import ArgumentRow

CONVERSATION = "conversation"


def is_conversation(job: Job) -> bool:
    return job.writer.kind == "model" and job.writer.format == CONVERSATION and job.direction > 0


def system_prompt(job: Job, strategies: dict[str, Strategy]) -> str:
    return strategies[job.strategy].conversation_system(job.claim.text, job.claim.topic)


def worst_reply_usd(job: Job, system_chars: int) -> float:
    """One reply's worst-case cost under the writer's limits."""
    limits = job.writer.limits
    return job.model.cost(limits.worst_input_tokens(system_chars), limits.max_reply_tokens)


def worst_conversation_usd(job: Job, system_chars: int) -> float:
    """A whole conversation's worst case: max_turns replies at their worst."""
    return job.writer.limits.max_turns * worst_reply_usd(job, system_chars)


def conversation_lines(
    study: Study, jobs: list[Job], strategies: dict[str, Strategy]
) -> list[PlanLine]:
    """The plan's conversations per writer and strategy at their worst case: every slot held
    `participants.per_argument` times, each conversation at `max_turns` replies."""
    groups: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for job in jobs:
        groups[(job.writer.id, job.strategy)].append(job)
    raters = study.participants.per_argument
    lines = []
    for (writer, strategy), group in sorted(groups.items()):
        limits = group[0].writer.limits
        longest = max(len(system_prompt(j, strategies)) for j in group)
        talks = len(group) * raters
        replies = talks * limits.max_turns
        cost = talks * worst_conversation_usd(group[0], longest)
        lines.append(
            PlanLine(
                writer,
                group[0].model.id,
                f"{strategy} ({talks} conversations)",
                replies,
                replies * limits.worst_input_tokens(longest),
                replies * limits.max_reply_tokens,
                cost,
            )
        )
    return lines


def slot_row(study_id: int, job: Job, strategies: dict[str, Strategy]) -> ArgumentRow:
    """The stored conversation slot of a job (pure: no I/O)."""
    provider, _, model = job.writer.model.partition("/")
    system = system_prompt(job, strategies)
    return ArgumentRow(
        study_id=study_id,
        claim_id=job.claim.id,
        request_key=job.key,
        writer=job.writer_label,
        writer_kind=job.writer.kind,
        provider=provider,
        model=model,
        generation=job.model.generation,
        model_class=job.model.model_class,
        generation_order=job.model.order,
        strategy=job.strategy,
        replicate=job.replicate,
        prompt_hash=job.prompt_hash,
        request_params={
            "system": system,
            "format": CONVERSATION,
            "limits": job.writer.limits.model_dump(),
        },
        direction=job.direction,
        text=system,
        stop_reason="",
        quality={"words": 0, "failed": [], "attempts": 0},
        status="ok",
        placeholder=provider in FREE_PROVIDERS,
        format=CONVERSATION,
    )
