"""The tidy ratings table: one row per rating, everything an estimator needs, from the store."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from study.store import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    ClaimRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    StudyRow,
    WaveRow,
)

COLUMNS = [
    "study",
    "wave",
    "participant",
    "claim",
    "topic",
    "stance",
    "kind",
    "argument",
    "writer",
    "writer_kind",
    "model",
    "generation",
    "model_class",
    "generation_order",
    "strategy",
    "before",
    "after",
    "direction",
    "persuasion",
    "reading_ms",
    "failed_checks",
    "exclusion",
]


def ratings_table(
    store: Store,
    study_id: int,
    max_failed_checks: int = 1,
    min_reading_fraction: float = 0.0,
    words_per_minute: int = 400,
) -> pd.DataFrame:
    """One row per rating of the study, with `persuasion = direction * (after - before)` and
    an `exclusion` reason ('' when the rating is kept). Excluded rows are kept, not dropped.

    Reasons, first match wins: the session's own exclusion; `incomplete` (no after-rating);
    `failed_attention_checks` (more than `max_failed_checks` failed); `too_fast` (reading time
    below `min_reading_fraction` x the argument's words / `words_per_minute`; only when the
    fraction is above 0 and the reading time was recorded)."""
    failed = (
        select(AttentionAnswerRow.session_id, func.count().label("failed"))
        .where(AttentionAnswerRow.passed.is_(False))
        .group_by(AttentionAnswerRow.session_id)
        .subquery()
    )
    query = (
        select(
            StudyRow.name.label("study"),
            WaveRow.number.label("wave"),
            ParticipantRow.id.label("participant"),
            ClaimRow.key.label("claim"),
            ClaimRow.topic,
            ClaimRow.stance,
            ClaimRow.kind,
            ArgumentRow.id.label("argument"),
            ArgumentRow.writer,
            ArgumentRow.writer_kind,
            ArgumentRow.model,
            ArgumentRow.generation,
            ArgumentRow.model_class,
            ArgumentRow.generation_order,
            ArgumentRow.strategy,
            RatingRow.before,
            RatingRow.after,
            ArgumentRow.direction,
            RatingRow.reading_ms,
            func.coalesce(failed.c.failed, 0).label("failed_checks"),
            SessionRow.exclusion.label("session_exclusion"),
        )
        .select_from(RatingRow)
        .join(AssignmentRow, AssignmentRow.id == RatingRow.assignment_id)
        .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
        .join(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
        .join(WaveRow, WaveRow.id == SessionRow.wave_id)
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .join(StudyRow, StudyRow.id == ArgumentRow.study_id)
        .outerjoin(failed, failed.c.session_id == SessionRow.id)
        .where(ArgumentRow.study_id == study_id)
        # Content order, not row ids: parallel panel shards and generation threads write in
        # whatever order they finish, and estimates draw resamples in order of appearance.
        .order_by(
            WaveRow.number,
            ClaimRow.key,
            ArgumentRow.request_key,
            ParticipantRow.platform_id_hash,
            AssignmentRow.position,
            RatingRow.id,
        )
    )
    with store.session() as session:
        rows = session.execute(query).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    frame["after"] = frame["after"].astype("Int64")
    frame["persuasion"] = frame["direction"] * (frame["after"] - frame["before"])
    frame["exclusion"] = _exclusion(frame, max_failed_checks)
    if min_reading_fraction > 0:
        words = _argument_words(store, study_id)
        needed = frame["argument"].map(words) / words_per_minute * 60_000 * min_reading_fraction
        fast = frame["reading_ms"].notna() & (frame["reading_ms"] < needed)
        frame.loc[(frame["exclusion"] == "") & fast, "exclusion"] = "too_fast"
    return frame[COLUMNS]


def _argument_words(store: Store, study_id: int) -> dict[int, int]:
    with store.session() as session:
        rows = session.execute(
            select(ArgumentRow.id, ArgumentRow.text).where(ArgumentRow.study_id == study_id)
        )
        return {arg_id: len(text.split()) for arg_id, text in rows}


def _exclusion(frame: pd.DataFrame, max_failed_checks: int) -> pd.Series:
    reason = pd.Series("", index=frame.index, dtype="object")
    reason[frame["session_exclusion"].fillna("") != ""] = frame["session_exclusion"]
    reason[(reason == "") & frame["after"].isna()] = "incomplete"
    too_many = frame["failed_checks"] > max_failed_checks
    reason[(reason == "") & too_many] = "failed_attention_checks"
    return reason


def kept(frame: pd.DataFrame) -> pd.DataFrame:
    """The ratings that enter the analysis (no exclusion reason)."""
    out = frame[frame["exclusion"] == ""].copy()
    out["persuasion"] = out["persuasion"].astype(float)
    out["before"] = out["before"].astype(float)
    out["after"] = out["after"].astype(float)
    return out
