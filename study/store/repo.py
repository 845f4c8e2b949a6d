"""Repository functions: every read and write of the store goes through here or through a
package's own repository module built on these rows; no raw SQL elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims import ClaimSet
from common import PersuasionError
from study.config import Study, parse_study, study_hash
from study.store.models import (
    ArgumentRow,
    ClaimRow,
    EventRow,
    StudyRow,
    WaveRow,
    utcnow,
)

REPORT_PUBLISHED = "report.published"  # event logged for each archived report (payload: stamp,
# html, index, n_ratings), read by `persuasion status` and the survey app's dashboard


class NotFoundError(PersuasionError, LookupError):
    """A study, wave or other record that the caller named does not exist."""


def register_study(
    session: Session,
    study: Study,
    toml_text: str,
    claim_set: ClaimSet,
    details: dict[str, Any] | None = None,
) -> StudyRow:
    """Create the study (or update its stored config, logging `study.updated` with `details`,
    such as the keys that changed) and add any claims it does not have yet.

    Claims already stored are never changed or removed, so ratings keep their meaning. Two
    processes registering the same study at once (two `generate`s on a new study) both succeed:
    the one whose insert collides with the other's rolls back its savepoint and reads the row the
    other wrote.
    """
    for attempt in range(3):
        try:
            with session.begin_nested():
                return _register_study(session, study, toml_text, claim_set, details)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _register_study(
    session: Session,
    study: Study,
    toml_text: str,
    claim_set: ClaimSet,
    details: dict[str, Any] | None,
) -> StudyRow:
    row = session.scalar(select(StudyRow).where(StudyRow.name == study.name))
    simulated = study.recruitment.platform == "simulated"
    if row is None:
        row = StudyRow(
            name=study.name,
            config_toml=toml_text,
            config_hash=study_hash(toml_text),
            claim_set=claim_set.name,
            claim_set_hash=claim_set.content_hash,
            simulated=simulated,
        )
        session.add(row)
        session.flush()
    elif row.config_hash != study_hash(toml_text) or row.claim_set_hash != claim_set.content_hash:
        row.config_toml = toml_text
        row.config_hash = study_hash(toml_text)
        row.claim_set = claim_set.name
        row.claim_set_hash = claim_set.content_hash
        row.simulated = simulated
        row.updated_at = utcnow()
        log_event(
            session, row.id, "study.updated", {"config_hash": row.config_hash} | (details or {})
        )
    have = set(session.scalars(select(ClaimRow.key).where(ClaimRow.study_id == row.id)))
    for claim in claim_set.claims:
        if claim.id not in have:
            session.add(
                ClaimRow(
                    study_id=row.id,
                    key=claim.id,
                    topic=claim.topic,
                    stance=claim.stance,
                    kind=claim.kind,
                    text=claim.text,
                )
            )
    session.flush()
    return row


def get_study_row(session: Session, name: str) -> StudyRow:
    row = session.scalar(select(StudyRow).where(StudyRow.name == name))
    if row is None:
        known = list(session.scalars(select(StudyRow.name).order_by(StudyRow.name)))
        hint = f"known studies: {', '.join(known)}" if known else "the store has no studies yet"
        raise NotFoundError(
            f"no study named {name!r} in the store {_where(session)} ({hint}); register one "
            "with `persuasion run STUDY.toml` or import data first"
        )
    return row


def _where(session: Session) -> str:
    """The store's URL (password hidden), so a mistyped --db shows in the message."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def study_config(row: StudyRow) -> Study:
    return parse_study(row.config_toml, f"<stored config of study {row.name!r}>")


def list_studies(session: Session) -> list[StudyRow]:
    return list(session.scalars(select(StudyRow).order_by(StudyRow.name)))


def claims_of(session: Session, study_id: int) -> list[ClaimRow]:
    return list(
        session.scalars(select(ClaimRow).where(ClaimRow.study_id == study_id).order_by(ClaimRow.id))
    )


def request_keys(session: Session, study_id: int) -> set[str]:
    return set(
        session.scalars(select(ArgumentRow.request_key).where(ArgumentRow.study_id == study_id))
    )


def arguments_of(session: Session, study_id: int) -> list[ArgumentRow]:
    return list(
        session.scalars(
            select(ArgumentRow).where(ArgumentRow.study_id == study_id).order_by(ArgumentRow.id)
        )
    )


def count_arguments(session: Session, study_id: int) -> dict[str, int]:
    rows = session.execute(
        select(ArgumentRow.writer, func.count())
        .where(ArgumentRow.study_id == study_id)
        .group_by(ArgumentRow.writer)
    )
    return {writer: n for writer, n in rows}


def open_wave(session: Session, study_id: int, platform: str, target: int) -> WaveRow:
    """The study's open wave, or a new one numbered after the last (of any kind)."""
    wave = current_wave(session, study_id)
    if wave is not None and wave.status == "open":
        return wave
    number = _next_number(session, study_id)
    wave = WaveRow(
        study_id=study_id,
        number=number,
        platform=platform,
        target_per_argument=target,
        status="open",
    )
    session.add(wave)
    session.flush()
    log_event(session, study_id, "wave.opened", {"wave": number, "platform": platform})
    return wave


def current_wave(session: Session, study_id: int) -> WaveRow | None:
    """The study's latest main wave (follow-up waves are never the current wave)."""
    return session.scalar(
        select(WaveRow)
        .where(WaveRow.study_id == study_id, WaveRow.kind == "main")
        .order_by(WaveRow.number.desc())
        .limit(1)
    )


def _next_number(session: Session, study_id: int) -> int:
    last = session.scalar(select(func.max(WaveRow.number)).where(WaveRow.study_id == study_id))
    return int(last or 0) + 1


def follow_up_of(session: Session, wave_id: int) -> WaveRow | None:
    """The follow-up wave of the wave `wave_id`, if it has one."""
    return session.scalar(
        select(WaveRow).where(WaveRow.kind == "follow_up", WaveRow.follows_wave_id == wave_id)
    )


def open_follow_up_wave(session: Session, original: WaveRow, platform: str) -> WaveRow:
    """The follow-up wave of `original` (created, numbered after the study's last wave, the
    first time; the same row afterwards)."""
    wave = follow_up_of(session, original.id)
    if wave is not None:
        return wave
    number = _next_number(session, original.study_id)
    wave = WaveRow(
        study_id=original.study_id,
        number=number,
        platform=platform,
        target_per_argument=0,
        status="open",
        kind="follow_up",
        follows_wave_id=original.id,
    )
    session.add(wave)
    session.flush()
    log_event(
        session,
        original.study_id,
        "follow_up.opened",
        {"wave": number, "follows": original.number, "platform": platform},
    )
    return wave


def close_wave(session: Session, wave: WaveRow, when: datetime | None = None) -> None:
    wave.status = "closed"
    wave.closed_at = when or utcnow()
    log_event(session, wave.study_id, "wave.closed", {"wave": wave.number})


def log_event(
    session: Session, study_id: int | None, kind: str, payload: dict[str, Any] | None = None
) -> EventRow:
    event = EventRow(study_id=study_id, kind=kind, payload=payload or {})
    session.add(event)
    return event


def events_of(session: Session, study_id: int, kind: str) -> list[EventRow]:
    """The study's events of one kind, newest first."""
    return list(
        session.scalars(
            select(EventRow)
            .where(EventRow.study_id == study_id, EventRow.kind == kind)
            .order_by(EventRow.id.desc())
        )
    )
