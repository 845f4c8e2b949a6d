"""Reading a stored study for analysis: its config, flags and tidy ratings table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.export import export_table
from analysis.follow_up_table import follow_up_answers
from analysis.preregistration import Registration, read_registration
from analysis.stamp import Provenance
from analysis.tidy import ratings_table
from study import Study
from study.store import get_study_row, open_store, study_config


@dataclass(frozen=True)
class StoredStudy:
    study: Study
    study_id: int
    simulated: bool
    claim_set_hash: str
    ratings: pd.DataFrame
    study_text: str = ""  # the stored study file (TOML)
    registration: Registration = field(default_factory=Registration)
    follow_ups: pd.DataFrame = field(default_factory=pd.DataFrame)  # answers at follow-ups

    @property
    def provenance(self) -> Provenance:
        return Provenance(study_text=self.study_text, registration=self.registration)


def load_stored_study(db: str | None, name: str) -> StoredStudy:
    """The stored study `name` with its tidy ratings table (excluded rows with a reason)."""
    with open_store(db, create=False) as store:
        with store.session() as session:
            row = get_study_row(session, name)
            study, study_id = study_config(row), row.id
            simulated, claim_hash, text = row.simulated, row.claim_set_hash, row.config_toml
            registration = read_registration(session, study_id)
        ratings = ratings_table(store, study_id, study)
        follow_ups = follow_up_answers(store, study_id)
    return StoredStudy(
        study, study_id, simulated, claim_hash, ratings, text, registration, follow_ups
    )


def export_study(db: str | None, name: str, out: str | Path) -> tuple[Path, int]:
    """Write the study's tidy ratings table to `out` (.csv or .parquet)."""
    stored = load_stored_study(db, name)
    return export_table(stored.ratings, out), len(stored.ratings)
