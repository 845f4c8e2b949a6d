"""From a study reference (a TOML path or a stored study's name) to a registered study."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims import ClaimSet, load_claim_set
from study.config import Study, StudyFileError, load_study, study_hash
from study.store import EventRow, Store, StudyRow
from study.store.repo import (
    get_study_row,
    log_event,
    register_study,
    study_config,
)


@dataclass(frozen=True)
class LoadedStudy:
    """A study registered in a store: its config, its claim set and its row id."""

    study: Study
    claims: ClaimSet
    study_id: int


def is_study_file(ref: str) -> bool:
    return ref.endswith(".toml") or Path(ref).is_file()


STUDY_FILE_EVENT = "study.file"  # where the study file was when it was last registered


def load_and_register(store: Store, ref: str) -> LoadedStudy:
    """Register the study file `ref` (or look up the stored study named `ref`)."""
    if is_study_file(ref):
        study = load_study(ref)
        text = Path(ref).read_text(encoding="utf-8")
        claim_set = load_claim_set(study.study.claims)
        with store.session() as session:
            row = register_study(session, study, text, claim_set)
            _remember_file(session, row.id, Path(ref))
            return LoadedStudy(study, claim_set, row.id)
    return load_stored(store, ref)


def load_stored(store: Store, name: str) -> LoadedStudy:
    """The stored study `name`, read only: a relative claim-set path resolves against the
    folder its study file was in when it was last registered."""
    with store.session() as session:
        row = get_study_row(session, name)
        study = study_config(row)
        study_id = row.id
        folder = _registered_folder(session, row.id)
    claims_ref = study.study.claims
    if folder is not None and not Path(claims_ref).is_absolute():
        candidate = folder / claims_ref
        if candidate.exists():
            meta = study.study.model_copy(update={"claims": str(candidate)})
            study = study.model_copy(update={"study": meta})
    try:
        claim_set = load_claim_set(study.study.claims)
    except Exception as exc:  # the stored study still works from its stored claims
        raise StudyFileError(
            f"study {name!r}: its claim set {study.study.claims!r} cannot be "
            f"read ({exc}); pass the study file instead"
        ) from None
    return LoadedStudy(study, claim_set, study_id)


def stored_differs(store: Store, path: str) -> str:
    """A warning when the study file at `path` differs from the stored study of its name
    ("" when it is the same, or not stored yet)."""
    study = load_study(path)
    text = Path(path).read_text(encoding="utf-8")
    with store.session() as session:
        row = session.scalar(select(StudyRow).where(StudyRow.name == study.name))
        if row is None or row.config_hash == study_hash(text):
            return ""
    return (
        f"warning: {path} differs from the stored study {study.name!r}; this shows the stored "
        f"one (the next `persuasion run {path}` registers the file)"
    )


def _remember_file(session: Session, study_id: int, path: Path) -> None:
    folder = str(path.resolve().parent)
    if _registered_folder(session, study_id) != Path(folder):
        log_event(session, study_id, STUDY_FILE_EVENT, {"path": str(path.resolve())})


def _registered_folder(session: Session, study_id: int) -> Path | None:
    last = session.scalar(
        select(EventRow)
        .where(EventRow.study_id == study_id, EventRow.kind == STUDY_FILE_EVENT)
        .order_by(EventRow.id.desc())
        .limit(1)
    )
    return Path(last.payload["path"]).parent if last is not None else None
