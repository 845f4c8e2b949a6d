"""The pre-registration gate of fieldwork: the first wave on a real platform (`link`,
`prolific`) opens only when the study's analysis plan was registered (`persuasion preregister`),
or with an explicit override that the report states; a simulated study registers itself. Also
the log of interim looks (`persuasion analyze --interim` while a real wave is open).

The documents, hashes and deviations live in `analysis.preregistration`; this module writes
the store's events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from analysis import (
    INTERIM,
    LOCKED,
    OVERRIDDEN,
    REAL_PLATFORMS,
    read_registration,
    registration_document,
    registration_hash,
)
from common import UsageError
from study import LoadedStudy
from study.store import Store, current_wave, get_study_row, log_event, study_config


def lock_preregistration(store: Store, loaded: LoadedStudy, document: dict[str, Any]) -> str:
    """Store `document` as the study's pre-registration and return its hash. Registering the
    same plan again changes nothing; a different plan is refused once a wave has opened."""
    digest = registration_hash(document)
    with store.session() as session:
        current = read_registration(session, loaded.study_id)
        if current.hash == digest:
            return digest
        wave = current_wave(session, loaded.study_id)
        if wave is not None:
            raise UsageError(
                f"study {loaded.study.name!r} already opened wave {wave.number}, so its "
                "pre-registration is locked; keep the study file as registered (the report "
                "lists every deviation from it) or start a new study"
            )
        log_event(session, loaded.study_id, LOCKED, {"hash": digest, "document": document})
    return digest


def require_preregistration(store: Store, loaded: LoadedStudy, override: bool = False) -> None:
    """Refuse to open a wave on a real platform (pilots aside: the caller skips them) while the
    study has no pre-registration, unless `override` (logged once per wave, and stated in the
    report); register a simulated study automatically. Safe to call again for the same wave."""
    study = loaded.study
    with store.session() as session:
        registration = read_registration(session, loaded.study_id)
        if registration.hash:
            return
        if study.recruitment.platform not in REAL_PLATFORMS:
            doc = registration_document(study, loaded.claims, by="simulated study (automatic)")
            payload = {"hash": registration_hash(doc), "document": doc}
            log_event(session, loaded.study_id, LOCKED, payload)
            return
        wave = current_wave(session, loaded.study_id)
        number = 1 if wave is None else wave.number + (wave.status != "open")
        if number in registration.overridden_waves:
            return
        if override:
            log_event(session, loaded.study_id, OVERRIDDEN, {"wave": number})
            return
    which = "its first wave" if number == 1 else f"wave {number}"
    raise UsageError(
        f"study {study.name!r} has no pre-registration, so {which} on "
        f"{study.recruitment.platform} cannot open; run `persuasion preregister STUDY.toml` "
        "first (or pass --without-preregistration: the report will say so)"
    )


def record_interim_look(store: Store, name: str, interim: bool) -> dict[str, Any] | None:
    """Log an analysis of the stored study `name` while a real platform's wave is open as an
    interim look (refused unless `interim`); None when no such wave is open."""
    with store.session() as session:
        row = get_study_row(session, name)
        study, study_id = study_config(row), row.id
        wave = current_wave(session, study_id)
        if (
            wave is None
            or wave.status != "open"
            or study.recruitment.platform not in REAL_PLATFORMS
        ):
            return None
        if not interim:
            raise UsageError(
                f"wave {wave.number} of study {study.name!r} is open on "
                f"{study.recruitment.platform}: estimates now are an interim look (the study "
                f"declares {study.analysis.interim_looks}); pass --interim to take one (it is "
                "logged and the report lists it), or wait until the wave closes"
            )
        look = {"wave": wave.number, "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
        log_event(session, study_id, INTERIM, look)
    return look
