"""Where a study stands: arguments and ratings per writer against target, exclusions, cost so
far, its waves, and its next scheduled runs (from the Prefect server, or from the study file's
crons when no server is configured)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cronsim import CronSim
from sqlalchemy import select

from analysis import ratings_table
from arguments import spending
from fieldwork import wave_status
from study import LoadedStudy
from study.store import REPORT_PUBLISHED, EventRow, Store, WaveRow, count_arguments
from surveys import ConversationSummary, conversation_summary


@dataclass(frozen=True)
class WriterProgress:
    writer: str
    arguments: int
    ratings: int
    target: int


@dataclass(frozen=True)
class NextRun:
    what: str
    when: datetime
    source: str  # "prefect" (a scheduled flow run) or "cron" (computed from the study file)


@dataclass(frozen=True)
class StudyStatus:
    study: str
    platform: str
    writers: tuple[WriterProgress, ...]
    exclusions: dict[str, int]
    cost_usd: float
    waves: tuple[tuple[int, str], ...]
    next_runs: tuple[NextRun, ...]
    reports: tuple[dict[str, Any], ...] = ()  # payloads of "report.published", newest first
    conversations: ConversationSummary | None = None  # studies with a conversation writer


def study_status(
    store: Store, loaded: LoadedStudy, next_runs: tuple[NextRun, ...] = ()
) -> StudyStatus:
    study, study_id = loaded.study, loaded.study_id
    per_argument = study.participants.per_argument
    ratings = wave_status(store, loaded).ratings_by_writer
    with store.session() as session:
        arguments = count_arguments(session, study_id)
        reports = session.scalars(
            select(EventRow.payload)
            .where(EventRow.study_id == study_id, EventRow.kind == REPORT_PUBLISHED)
            .order_by(EventRow.id.desc())
        ).all()
        waves = [
            (n, f"{s} (follow-up)" if kind == "follow_up" else s)
            for n, s, kind in session.execute(
                select(WaveRow.number, WaveRow.status, WaveRow.kind)
                .where(WaveRow.study_id == study_id)
                .order_by(WaveRow.number)
            )
        ]
    table = ratings_table(store, study_id, study)
    excluded = table.loc[table["exclusion"] != "", "exclusion"].value_counts()
    declared = [w.id for w in study.writers]
    writers = declared + sorted(set(arguments) - set(declared))
    return StudyStatus(
        study.name,
        study.recruitment.platform,
        tuple(
            WriterProgress(
                w, arguments.get(w, 0), ratings.get(w, 0), arguments.get(w, 0) * per_argument
            )
            for w in writers
        ),
        {str(k): int(v) for k, v in excluded.items()},
        spending(store, study_id).total_usd,
        tuple((int(n), str(s)) for n, s in waves),
        next_runs,
        tuple(reports),
        _conversations(store, loaded),
    )


def _conversations(store: Store, loaded: LoadedStudy) -> ConversationSummary | None:
    if not any(w.format == "conversation" for w in loaded.study.writers):
        return None
    return conversation_summary(store, loaded.study_id)


def cron_runs(loaded: LoadedStudy, now: datetime | None = None) -> tuple[NextRun, ...]:
    """The next firing of each of the study file's schedules (UTC)."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    schedules = loaded.study.schedules
    named = [
        ("sync-fieldwork", schedules.sync),
        ("report-study", schedules.analysis),
        ("run-study (new generation)", schedules.new_generation),
    ]
    runs = [
        NextRun(what, next(iter(CronSim(cron, now))).replace(tzinfo=UTC), "cron")
        for what, cron in named
        if cron
    ]
    return tuple(sorted(runs, key=lambda r: r.when))


def prefect_runs(study: str, limit: int = 5) -> tuple[NextRun, ...]:
    """The study's next scheduled flow runs on the configured Prefect server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        DeploymentFilterTags,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.deployments import tag

    scheduled = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
    )
    # `persuasion serve` tags its deployments study:NAME; prefect.yaml names them after the
    # study and tags them `persuasion`: either way they are the study's.
    by_tag = DeploymentFilter(tags=DeploymentFilterTags(all_=[tag(study)]))
    by_name = DeploymentFilter(
        name=DeploymentFilterName(any_=[study]), tags=DeploymentFilterTags(all_=["persuasion"])
    )
    with get_client(sync_client=True) as client:
        found = {
            r.id: r
            for deployments in (by_tag, by_name)
            for r in client.read_flow_runs(
                deployment_filter=deployments,
                flow_run_filter=scheduled,
                sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                limit=limit,
            )
        }
        flows = {f.id: f.name for f in client.read_flows()}
    runs = sorted(
        (r for r in found.values() if r.expected_start_time is not None),
        key=lambda r: r.expected_start_time,  # type: ignore[arg-type,return-value]
    )[:limit]
    return tuple(
        NextRun(flows.get(r.flow_id, r.name), r.expected_start_time, "prefect")
        for r in runs
        if r.expected_start_time is not None
    )


def next_runs(loaded: LoadedStudy) -> tuple[NextRun, ...]:
    """From the Prefect server when PREFECT_API_URL is set and it answers, else from crons."""
    if os.environ.get("PREFECT_API_URL"):
        try:
            runs = prefect_runs(loaded.study.name)
        except Exception:  # an unreachable server: fall back to the study file
            runs = ()
        if runs:
            return runs
    return cron_runs(loaded)


def summary_lines(state: StudyStatus) -> list[str]:
    """The lines `persuasion status` prints below its table of writers."""
    waves = ", ".join(f"{n} {s}" for n, s in state.waves) or "none yet"
    excluded = ", ".join(f"{k} {v}" for k, v in state.exclusions.items()) or "none"
    lines = [
        f"Waves: {waves}",
        f"Excluded ratings: {excluded}",
        f"Cost so far: ${state.cost_usd:.2f}",
    ]
    if state.conversations is not None:
        lines.append(state.conversations.line())
    if state.reports:
        latest = state.reports[0]
        lines.append(
            f"Latest report: {latest['html']} ({latest['n_ratings']} ratings); "
            f"history of {len(state.reports)}: {latest['index']}"
        )
    for run in state.next_runs:
        source = "scheduled" if run.source == "prefect" else "cron, no server"
        lines.append(f"Next {run.what}: {run.when:%Y-%m-%d %H:%M:%S %Z} ({source})")
    return lines
