"""Plain functions behind the flows: each opens the store, does one stage, and returns a small
summary. They hold no state: every step reads what the store says is left to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis import build_report, ratings_table
from arguments import GenerationSummary, generate_all
from flows import history
from study.loading import load_and_register
from study.store import open_store
from study.store.repo import get_study_row, log_event, study_config
from surveys import run_simulated_panel
from surveys.fieldwork import WaveStatus, open_fieldwork, sync_fieldwork, wave_status


@dataclass(frozen=True)
class ReportSummary:
    html: str
    estimates_csv: str
    n_ratings: int


def register_step(db: str | None, study_ref: str) -> str:
    """Register the study file (or find the stored study); returns the study's name."""
    store = open_store(db)
    try:
        return load_and_register(store, study_ref).study.name
    finally:
        store.dispose()


def generate_step(db: str | None, name: str) -> GenerationSummary:
    store = open_store(db)
    try:
        loaded = load_and_register(store, name)
        return generate_all(store, loaded.study, loaded.study_id)
    finally:
        store.dispose()


def field_step(db: str | None, name: str) -> WaveStatus:
    """Open a wave (if needed) and sync it once; with the simulated panel that completes it."""
    store = open_store(db)
    try:
        loaded = load_and_register(store, name)
        open_fieldwork(store, loaded)
        return sync_fieldwork(store, loaded)
    finally:
        store.dispose()


def analyse_step(db: str | None, name: str, out_dir: Path) -> ReportSummary:
    store = open_store(db)
    try:
        with store.session() as session:
            row = get_study_row(session, name)
            study, study_id = study_config(row), row.id
            simulated, claim_hash = row.simulated, row.claim_set_hash
        ratings = ratings_table(store, study_id, study.exclusions.max_failed_attention_checks)
        report = build_report(
            ratings, study, out_dir, simulated=simulated, claim_set_hash=claim_hash
        )
        return ReportSummary(str(report.html), str(report.estimates_csv), len(ratings))
    finally:
        store.dispose()


def open_step(db: str | None, name: str) -> WaveStatus:
    """Open a wave unless every argument already has its ratings (then just report)."""
    store = open_store(db)
    try:
        return open_fieldwork(store, load_and_register(store, name))
    finally:
        store.dispose()


def panel_step(db: str | None, name: str, shard: int = 0, shards: int = 1) -> int:
    """The simulated panel for one shard of the unrated arguments; returns ratings written.
    Run it after `open_step`; shards can run in parallel (see surveys.panel_store.shard_of),
    so it does not migrate the store (Alembic is not thread-safe; open_step migrated it)."""
    store = open_store(db, migrate=False)
    try:
        loaded = load_and_register(store, name)
        if loaded.study.recruitment.platform != "simulated":
            return 0
        summary = run_simulated_panel(
            store, loaded.study, loaded.study_id, shard=shard, shards=shards
        )
        return summary.ratings
    finally:
        store.dispose()


def sync_step(db: str | None, name: str) -> WaveStatus:
    """Sync the open wave once (closing it when its quota is met); with no open wave only
    report where fieldwork stands, so a re-run opens nothing new."""
    store = open_store(db)
    try:
        loaded = load_and_register(store, name)
        status = wave_status(store, loaded)
        return sync_fieldwork(store, loaded) if status.status == "open" else status
    finally:
        store.dispose()


def waves_step(db: str | None, name: str) -> dict[str, str]:
    """Which waves each writer's kept ratings come from."""
    store = open_store(db)
    try:
        with store.session() as session:
            row = get_study_row(session, name)
            study, study_id = study_config(row), row.id
        ratings = ratings_table(store, study_id, study.exclusions.max_failed_attention_checks)
        return history.waves_by_writer(ratings)
    finally:
        store.dispose()


def record_report_step(
    db: str | None, name: str, entry: history.HistoryEntry, n_ratings: int
) -> None:
    """Log the archived report in the store's event log, where the survey app's dashboard and
    `persuasion status` find a study's report history without knowing where reports go."""
    store = open_store(db)
    try:
        with store.session() as session:
            log_event(
                session,
                get_study_row(session, name).id,
                history.REPORT_PUBLISHED,
                {
                    "stamp": entry.stamp,
                    "html": str(entry.html.resolve()),
                    "index": str((entry.html.parents[2] / "index.html").resolve()),
                    "n_ratings": n_ratings,
                },
            )
    finally:
        store.dispose()
