"""From a study reference (a TOML path or a stored study's name) to a registered study."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claims import ClaimSet, load_claim_set
from study.config import Study, StudyFileError, load_study
from study.store import Store
from study.store.repo import get_study_row, register_study, study_config


@dataclass(frozen=True)
class LoadedStudy:
    """A study registered in a store: its config, its claim set and its row id."""

    study: Study
    claims: ClaimSet
    study_id: int


def is_study_file(ref: str) -> bool:
    return ref.endswith(".toml") or Path(ref).is_file()


def load_and_register(store: Store, ref: str) -> LoadedStudy:
    """Register the study file `ref` (or look up the stored study named `ref`)."""
    if is_study_file(ref):
        study = load_study(ref)
        text = Path(ref).read_text(encoding="utf-8")
        claim_set = load_claim_set(study.study.claims)
        with store.session() as session:
            row = register_study(session, study, text, claim_set)
            return LoadedStudy(study, claim_set, row.id)
    with store.session() as session:
        row = get_study_row(session, ref)
        study = study_config(row)
        study_id = row.id
    try:
        claim_set = load_claim_set(study.study.claims)
    except Exception as exc:  # the stored study still works from its stored claims
        raise StudyFileError(
            f"study {ref!r}: its claim set {study.study.claims!r} cannot be "
            f"read ({exc}); pass the study file instead"
        ) from None
    return LoadedStudy(study, claim_set, study_id)
