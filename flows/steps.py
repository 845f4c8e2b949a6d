"""Plain functions behind the flows: each opens the store, does one stage, and returns a small
summary. They hold no state: every step reads what the store says is left to do."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis import build_report, load_stored_study, ratings_table
from arguments import Estimate, GenerationSummary, RunOptions, generate_all
from common import UsageError
from fieldwork import (
    WaveStatus,
    open_fieldwork,
    record_interim_look,
    run_simulated_panel,
    sync_fieldwork,
    wave_status,
    writing_open,
)
from flows import history
from flows.artifacts import artifact_key
from study import is_study_file, load_and_register
from study.store import (
    REPORT_PUBLISHED,
    ArgumentRow,
    AssignmentRow,
    get_study_row,
    log_event,
    open_store,
    study_config,
)


@dataclass(frozen=True)
class ReportSummary:
    html: str
    estimates_csv: str
    n_ratings: int
    contrasts_csv: str = ""
    summary_md: str = ""


@dataclass(frozen=True)
class StudyOutcome:
    """What `run-study` ends with: the report (None when the wave was not analysed), where
    fieldwork stands, and what it still lacks ("" when the wave is complete)."""

    report: ReportSummary | None
    wave: WaveStatus
    incomplete: str = ""


def incomplete_note(wave: WaveStatus) -> str:
    """One line on what a wave still lacks, or "" when every argument has its ratings."""
    if wave.complete:
        return ""
    return (
        f"wave {wave.wave} of study {wave.study!r} is {wave.status}: {wave.arguments_done} of "
        f"{wave.arguments} arguments have their {wave.target} ratings"
    )


def register_step(db: str | None, study_ref: str, create: bool = True) -> str:
    """Register the study file (or find the stored study); returns the study's name. Without
    `create` the store must exist already."""
    with open_store(db, create=create) as store:
        return load_and_register(store, study_ref).study.name


class ArtifactProgress:
    """Generation progress as a Prefect progress artifact and a log line (every 5 %: requests
    done, cost so far at most, time left), and a table artifact of counts and cost at the end.
    Keys carry the study. Used only inside a Prefect run."""

    def __init__(self, study: str) -> None:
        self.study = study
        self.artifact: Any = None
        self.last = -100.0
        self.started = time.monotonic()
        self.cost_usd = 0.0

    def plan(self, estimate: Estimate) -> None:
        from prefect.artifacts import create_progress_artifact

        self.started, self.cost_usd = time.monotonic(), estimate.cost_usd
        self.artifact = create_progress_artifact(  # type: ignore[call-arg]
            0.0,
            key=artifact_key("argument-generation", self.study),
            description=f"{estimate.requests} requests, at most ${estimate.cost_usd:.2f}",
            _sync=True,
        )

    def advance(self, done: int, total: int) -> None:
        from prefect import get_run_logger
        from prefect.artifacts import update_progress_artifact

        percent = 100.0 * done / max(total, 1)
        if self.artifact is None or (percent - self.last < 5 and done != total):
            return
        update_progress_artifact(self.artifact, percent, _sync=True)  # type: ignore[call-arg]
        self.last = percent
        get_run_logger().info("%s", progress_line(done, total, self.cost_usd, self.started))

    def table(self, summary: GenerationSummary) -> None:
        from prefect.artifacts import create_table_artifact

        rows: list[dict[str, Any]] = [
            {"writer": writer, "arguments": n} for writer, n in sorted(summary.by_writer.items())
        ]
        rows.append(
            {
                "writer": "total",
                "arguments": summary.written,
                "failed": summary.failed,
                "flagged": summary.flagged,
                "cost_usd": round(summary.cost_usd, 4),
            }
        )
        create_table_artifact(rows, key=artifact_key("argument-generation-summary", self.study))


def progress_line(done: int, total: int, cost_usd: float, started: float) -> str:
    """`generation: 120/976 requests (12 %), at most $0.42 of $3.41, about 4 min left`."""
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done) if done else float("nan")
    eta = "done" if done >= total else (f"about {_duration(left)} left" if done else "starting")
    share = cost_usd * done / max(total, 1)
    return (
        f"generation: {done}/{total} requests ({100 * done / max(total, 1):.0f} %), at most "
        f"${share:.2f} of ${cost_usd:.2f}, {eta}"
    )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _in_prefect_run() -> bool:
    from prefect.context import get_run_context

    try:
        get_run_context()
    except Exception:
        return False
    return True


def generate_step(db: str | None, name: str) -> GenerationSummary:
    """Generate what the study is missing; inside a Prefect run, report progress as
    artifacts."""
    with open_store(db) as store:
        loaded = load_and_register(store, name)
        artifacts = ArtifactProgress(loaded.study.name) if _in_prefect_run() else None
        options = RunOptions(progress=artifacts) if artifacts else RunOptions()
        summary = generate_all(store, loaded.study, loaded.study_id, options)
        if artifacts is not None and summary.planned:
            artifacts.table(summary)
        return summary


def resolve_study_step(db: str | None, study_ref: str) -> str:
    """A study file is registered; a name must be a stored study (imported studies have no
    claim-set file, so nothing else is loaded). Returns the study's name."""
    if is_study_file(study_ref):
        return register_step(db, study_ref, create=False)
    with open_store(db, create=False) as store, store.session() as session:
        return get_study_row(session, study_ref).name


def analyse_step(db: str | None, name: str, out_dir: Path, incomplete: str = "") -> ReportSummary:
    """Analyse the stored study `name` and write its report to out_dir (headed by what
    fieldwork still lacks when `incomplete` says so)."""
    stored = load_stored_study(db, name)
    report = build_report(
        stored.ratings,
        stored.study,
        out_dir,
        simulated=stored.simulated,
        claim_set_hash=stored.claim_set_hash,
        incomplete=incomplete,
        provenance=stored.provenance,
        follow_ups=stored.follow_ups,
    )
    return ReportSummary(
        str(report.html),
        str(report.estimates_csv),
        len(stored.ratings),
        str(report.contrasts_csv),
        str(report.summary_md),
    )


def open_step(db: str | None, name: str) -> WaveStatus:
    """Open a wave unless every argument already has its ratings (then just report); the
    arguments it fields for the first time record its number (`ArgumentRow.wave_number`)."""
    with open_store(db) as store:
        loaded = load_and_register(store, name)
        status = open_fieldwork(store, loaded)
        if status.status == "open":
            with store.session() as session:
                record_fielding_wave(session, loaded.study_id, status.wave)
        return status


def record_fielding_wave(session: Session, study_id: int, wave: int) -> None:
    """Arguments of the study that nobody was assigned yet are fielded by `wave`."""
    assigned = select(AssignmentRow.argument_id)
    session.execute(
        update(ArgumentRow)
        .where(ArgumentRow.study_id == study_id, ArgumentRow.id.not_in(assigned))
        .values(wave_number=wave)
    )


def panel_step(db: str | None, name: str, shard: int = 0, shards: int = 1) -> int:
    """The simulated panel for one shard of the unrated arguments; returns ratings written.
    Run it after `open_step`; shards can run in parallel (see fieldwork.panel_store.shard_of),
    so it does not migrate the store (Alembic is not thread-safe; open_step migrated it)."""
    with open_store(db, migrate=False) as store:
        loaded = load_and_register(store, name)
        if loaded.study.recruitment.platform != "simulated":
            return 0
        summary = run_simulated_panel(
            store, loaded.study, loaded.study_id, shard=shard, shards=shards
        )
        return summary.ratings


def sync_step(db: str | None, name: str) -> WaveStatus:
    """Sync the open wave (and an open writing wave) once, closing it when its quota is met;
    with neither open only report where fieldwork stands, so a re-run opens nothing new."""
    with open_store(db) as store:
        loaded = load_and_register(store, name)
        status = wave_status(store, loaded)
        busy = status.status == "open" or writing_open(store, loaded)
        return sync_fieldwork(store, loaded) if busy else status


def unplanned_look_step(db: str | None, name: str) -> str:
    """Why a scheduled report must not analyse now ('' when it may): while a wave on a real
    platform is open, estimates would be an interim look, and those are taken only on
    purpose (`persuasion analyze --interim`, logged), never by a schedule."""
    with open_store(db) as store:
        try:
            record_interim_look(store, name, interim=False)
        except UsageError as exc:
            return str(exc)
    return ""


def waves_step(db: str | None, name: str) -> dict[str, str]:
    """Which waves each writer's kept ratings come from."""
    with open_store(db) as store:
        with store.session() as session:
            row = get_study_row(session, name)
            study, study_id = study_config(row), row.id
        ratings = ratings_table(store, study_id, study)
        return history.waves_by_writer(ratings)


def record_report_step(
    db: str | None, name: str, entry: history.HistoryEntry, n_ratings: int
) -> None:
    """Log the archived report in the store's event log, where the survey app's dashboard and
    `persuasion status` find a study's report history without knowing where reports go."""
    with open_store(db) as store, store.session() as session:
        log_event(
            session,
            get_study_row(session, name).id,
            REPORT_PUBLISHED,
            {
                "stamp": entry.stamp,
                "html": str(entry.html.resolve()),
                "index": str((entry.html.parents[2] / "index.html").resolve()),
                "n_ratings": n_ratings,
            },
        )
