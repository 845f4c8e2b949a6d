"""A small registered study and survey sessions written the way the survey app writes them,
for fieldwork tests."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from analysis.preregistration import registration_document
from fieldwork.preregistration import lock_preregistration
from study.loading import LoadedStudy, load_and_register
from study.store import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    ClaimRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
)
from study.store.models import utcnow

CLAIMS = """\
name: tiny
claims:
  - {id: a-support, topic: a, stance: support, kind: opinion, text: "A is good."}
  - {id: a-oppose, topic: a, stance: oppose, kind: opinion, text: "A is bad."}
  - {id: b-support, topic: b, stance: support, kind: opinion, text: "B is good."}
  - {id: b-oppose, topic: b, stance: oppose, kind: opinion, text: "B is bad."}
"""

STUDY = """\
[study]
name = "{name}"
claims = "tiny.yaml"

[[writers]]
id = "human"
kind = "human"

[participants]
per_argument = 2
items_per_participant = 2
words_per_minute = 400

[recruitment]
platform = "{platform}"
survey_url = "{survey_url}"
reward_gbp = 2.5

[exclusions]
max_failed_attention_checks = 1
min_reading_fraction = 0.5
"""


def tiny_study(
    store: Store,
    folder: Path,
    platform: str = "prolific",
    name: str = "tiny",
    survey_url: str = "",
    preregistered: bool = True,
) -> LoadedStudy:
    """Register a study with 4 claims and one 100-word argument per claim (by its human
    writer), recruiting through `platform` to `survey_url`; pre-registered unless
    `preregistered` is False, so its first wave may open on a real platform."""
    (folder / "tiny.yaml").write_text(CLAIMS)
    path = folder / f"{name}.toml"
    url = survey_url or f"https://survey.example.org/s/{name}"
    path.write_text(STUDY.format(name=name, platform=platform, survey_url=url))
    loaded = load_and_register(store, str(path))
    with store.session() as session:
        claims = session.query(ClaimRow).filter_by(study_id=loaded.study_id).all()
        for claim in claims:
            session.add(
                ArgumentRow(
                    study_id=loaded.study_id,
                    claim_id=claim.id,
                    request_key=uuid.uuid4().hex,
                    writer="human",
                    writer_kind="human",
                    direction=1,
                    text=" ".join(["word"] * 100),
                )
            )
    if preregistered:
        document = registration_document(loaded.study, loaded.claims)
        lock_preregistration(store, loaded, document)
    return loaded


def argument_ids(store: Store, study_id: int) -> list[int]:
    with store.session() as session:
        return [a.id for a in session.query(ArgumentRow).filter_by(study_id=study_id).all()]


def add_session(
    store: Store,
    study_id: int,
    wave_id: int,
    arguments: list[int],
    *,
    platform_session: str = "",
    status: str = "completed",
    failed_checks: int = 0,
    reading_ms: int = 20_000,
    reserved_until: datetime | None = None,
) -> int:
    """A survey session as the app leaves it: completed with ratings, or active with items
    reserved until `reserved_until` (default: an hour from now)."""
    with store.session() as session:
        pid = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        person = ParticipantRow(study_id=study_id, platform="prolific", platform_id_hash=pid)
        session.add(person)
        session.flush()
        row = SessionRow(
            participant_id=person.id,
            wave_id=wave_id,
            token_hash=pid,
            status=status,
            platform_session=platform_session,
        )
        session.add(row)
        session.flush()
        for position, argument in enumerate(arguments):
            done = status == "completed"
            assignment = AssignmentRow(
                session_id=row.id,
                argument_id=argument,
                position=position,
                status="completed" if done else "reserved",
                reserved_until=None if done else (reserved_until or utcnow() + timedelta(hours=1)),
            )
            session.add(assignment)
            session.flush()
            if done:
                session.add(
                    RatingRow(assignment_id=assignment.id, before=3, after=5, reading_ms=reading_ms)
                )
        for i in range(3):
            session.add(
                AttentionAnswerRow(
                    session_id=row.id, check_key=f"c{i}", answer="x", passed=i >= failed_checks
                )
            )
        return row.id


def session_row(store: Store, session_id: int) -> tuple[str, str, str]:
    """(status, review, exclusion) of a session."""
    with store.session() as session:
        row = session.get(SessionRow, session_id)
        assert row is not None
        return row.status, row.review, row.exclusion


def assignment_statuses(store: Store, session_id: int) -> list[str]:
    with store.session() as session:
        return [
            a.status
            for a in session.query(AssignmentRow)
            .filter_by(session_id=session_id)
            .order_by(AssignmentRow.position)
        ]
