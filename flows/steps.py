"""Plain functions behind the flows: each opens the store, does one stage, and returns a small
summary. They hold no state: every step reads what the store says is left to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis import build_report, ratings_table
from arguments import GenerationSummary, generate_all
from study.loading import load_and_register
from study.store import open_store
from study.store.repo import get_study_row, study_config
from surveys.fieldwork import WaveStatus, open_fieldwork, sync_fieldwork


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
