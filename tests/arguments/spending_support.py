"""Helpers for the spending tests: what the stand-in billed in dollars, what the store says
was spent, and running a study in-process."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from arguments import GenerationSummary, RunOptions, Spending, bundled_models, generate_all
from arguments import spending as ledger_spending
from study import load_and_register
from study.store import ArgumentRow, GenerationRequestRow, Store, open_store
from tests.support.anthropic_api import Bill, usd

PRICES = {
    m.id.partition("/")[2]: (m.input_per_mtok, m.output_per_mtok)
    for m in bundled_models()
    if m.id.startswith("anthropic/")
}


def opened(db: str) -> Store:
    """The store at `db` (a context manager: disposed on exit)."""
    return open_store(db)


def billed_usd(bills: list[Bill]) -> float:
    return usd(bills, PRICES)


def run_study(path: Path, db: str, options: RunOptions | None = None) -> GenerationSummary:
    with opened(db) as store:
        loaded = load_and_register(store, str(path))
        return generate_all(store, loaded.study, loaded.study_id, options)


def spent(db: str, name: str = "gen") -> Spending:
    with opened(db) as store:
        loaded = load_and_register(store, name)
        return ledger_spending(store, loaded.study_id)


def attempts(db: str) -> list[GenerationRequestRow]:
    with opened(db) as store, store.session() as session:
        return list(session.scalars(select(GenerationRequestRow).order_by(GenerationRequestRow.id)))


def arguments(db: str) -> list[ArgumentRow]:
    with opened(db) as store, store.session() as session:
        return list(session.scalars(select(ArgumentRow).order_by(ArgumentRow.id)))
