"""From a study reference (a TOML path or a stored study's name) to a registered study."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims import ClaimSet, load_claim_set
from study.config import Study, StudyFileError, load_study, parse_study, study_hash
from study.config_changes import Change, collected, compare, event_payload, refusal
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
            changes = file_changes(session, text, claim_set)
            if message := refusal(ref, changes):
                raise StudyFileError(f"{message} (see every change with `persuasion update {ref}`)")
            details = {"changes": event_payload(changes)} if changes else None
            row = register_study(session, study, text, claim_set, details)
            _remember_file(session, row.id, Path(ref))
            return LoadedStudy(study, claim_set, row.id)
    return load_stored(store, ref)


def file_changes(session: Session, text: str, claim_set: ClaimSet) -> list[Change]:
    """How the study file `text` differs from the stored study of its name, key by key, with
    each change's verdict (study.config_changes); [] when the study is not stored yet or
    the same."""
    study = parse_study(text)
    row = session.scalar(select(StudyRow).where(StudyRow.name == study.name))
    if row is None or (
        row.config_hash == study_hash(text) and row.claim_set_hash == claim_set.content_hash
    ):
        return []
    return compare(
        study_config(row),
        study,
        collected(session, row.id),
        (row.claim_set_hash, claim_set.content_hash),
    )


@dataclass(frozen=True)
class StudyUpdate:
    """What `persuasion update` would change in the stored study `name`."""

    name: str
    changes: list[Change]
    refused: str  # the refusal message, "" when every change is allowed


def preview_update(store: Store, path: str) -> StudyUpdate:
    """Compare the study file at `path` with the stored study of its name (read only); the
    study must be stored already."""
    study = load_study(path)
    text = Path(path).read_text(encoding="utf-8")
    claim_set = load_claim_set(study.study.claims)
    with store.session() as session:
        get_study_row(session, study.name)
        changes = file_changes(session, text, claim_set)
    return StudyUpdate(study.name, changes, refusal(path, changes))


def apply_update(store: Store, path: str) -> StudyUpdate:
    """Store the study file's allowed changes (refused ones raise StudyFileError), logged as
    `study.updated` with every changed key, its old and its new value."""
    update = preview_update(store, path)
    if update.refused:
        raise StudyFileError(update.refused)
    if update.changes:
        study = load_study(path)
        text = Path(path).read_text(encoding="utf-8")
        claim_set = load_claim_set(study.study.claims)
        with store.session() as session:
            changes = file_changes(session, text, claim_set)  # again, in the writing transaction
            if message := refusal(path, changes):
                raise StudyFileError(message)
            details = {"changes": event_payload(changes), "by": "persuasion update"}
            row = register_study(session, study, text, claim_set, details)
            _remember_file(session, row.id, Path(path))
    return update


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
    ("" when no key differs, or it is not stored yet)."""
    study = load_study(path)
    text = Path(path).read_text(encoding="utf-8")
    claim_set = load_claim_set(study.study.claims)
    with store.session() as session:
        changes = file_changes(session, text, claim_set)
    if not changes:
        return ""
    keys = ", ".join(c.key for c in changes[:5]) + (", ..." if len(changes) > 5 else "")
    return (
        f"warning: {path} differs from the stored study {study.name!r} in {len(changes)} "
        f"key(s) ({keys}); this shows the stored one. See the difference and apply it with "
        f"`persuasion update {path}`"
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
