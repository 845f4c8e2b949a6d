"""The tidy ratings table: one row per rating, everything an estimator needs, from the store."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from study import Exclusions, SessionFacts, Study, argument_min_reading_ms, exclusion
from study.store import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    ClaimRow,
    ConversationRow,
    ConversationTurnRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    StudyRow,
    WaveRow,
    study_config,
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
    "session",
    "position",
    "min_reading_ms",
    "focus_losses",
    "pastes",
    "session_status",
    "format",
    "turns",
    "model_words",
]


def ratings_table(store: Store, study_id: int, study: Study | None = None) -> pd.DataFrame:
    """One row per rating of the study (in content order: wave, claim, argument, participant;
    never row ids, which follow whichever parallel writer finished first), with
    `persuasion = direction * (after - before)` and an `exclusion` reason ('' when the rating
    is kept). Excluded rows are kept, not dropped. This is the one table behind every export
    (`persuasion export`, `persuasion survey export`, the dashboard's CSV).

    The reasons are the study's one rule set, `study.exclusions.exclusion`, under `study`'s
    exclusions and reading speed (default: the study's stored config).

    `format` is 'static' or 'conversation'; a conversation item's `turns` counts the
    participant's messages and `model_words` the words of the model's replies (both missing
    for static items)."""
    with store.session() as session:
        if study is None:
            study = study_config(session.get_one(StudyRow, study_id))
        rows = session.execute(_query(study_id)).mappings().all()
        texts = {
            arg: (text, fmt)
            for arg, text, fmt in session.execute(
                select(ArgumentRow.id, ArgumentRow.text, ArgumentRow.format).where(
                    ArgumentRow.study_id == study_id
                )
            )
        }
        talks = _conversations(session, study_id)
    frame = pd.DataFrame([dict(r) for r in rows])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    minimum = {
        arg: 0 if fmt == "conversation" else argument_min_reading_ms(text, study)
        for arg, (text, fmt) in texts.items()
    }
    frame["min_reading_ms"] = frame["argument"].map(minimum)
    for column in ("turns", "model_words", "conversation"):
        frame[column] = frame["assignment"].map(talks[column])
    frame["turns"] = frame["turns"].astype("Int64")
    frame["model_words"] = frame["model_words"].astype("Int64")
    frame["after"] = frame["after"].astype("Int64")
    frame["reading_ms"] = frame["reading_ms"].astype("Int64")
    frame["persuasion"] = frame["direction"] * (frame["after"] - frame["before"])
    frame["exclusion"] = _exclusions(frame, study.exclusions)
    return frame[COLUMNS]


def _query(study_id: int) -> Select[*tuple[Any, ...]]:
    failed = (
        select(AttentionAnswerRow.session_id, func.count().label("failed"))
        .where(AttentionAnswerRow.passed.is_(False))
        .group_by(AttentionAnswerRow.session_id)
        .subquery()
    )
    return (
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
            SessionRow.id.label("session"),
            AssignmentRow.position,
            RatingRow.focus_losses,
            RatingRow.pastes,
            SessionRow.status.label("session_status"),
            SessionRow.exclusion.label("session_exclusion"),
            ArgumentRow.format,
            AssignmentRow.id.label("assignment"),
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


def _exclusions(frame: pd.DataFrame, rules: Exclusions) -> list[str]:
    """Each rating's reason under the one rule set, from the facts of its session."""
    facts = {}
    for sid, group in frame.groupby("session", sort=False):
        first = group.iloc[0]
        reading = tuple(None if pd.isna(ms) else int(ms) for ms in group["reading_ms"])
        facts[sid] = SessionFacts(
            str(first["session_status"]),
            int(first["failed_checks"]),
            reading,
            tuple(int(ms) for ms in group["min_reading_ms"]),
            str(first["session_exclusion"] or ""),
        )
    rated = frame["after"].notna()
    talks = frame["conversation"].astype(object).where(frame["conversation"].notna(), "")
    return [
        exclusion(facts[sid], rules, bool(r), str(c))
        for sid, r, c in zip(frame["session"], rated, talks, strict=True)
    ]


def _conversations(session: Session, study_id: int) -> dict[str, dict[int, Any]]:
    """Per assignment with a conversation: participant turns, words the model wrote, and the
    conversation's status."""
    talks = session.execute(
        select(ConversationRow.id, ConversationRow.assignment_id, ConversationRow.status).where(
            ConversationRow.study_id == study_id
        )
    ).all()
    by_id = {cid: aid for cid, aid, _ in talks}
    turns: Counter[int] = Counter({aid: 0 for aid in by_id.values()})
    words: Counter[int] = Counter({aid: 0 for aid in by_id.values()})
    rows = session.execute(
        select(
            ConversationTurnRow.conversation_id, ConversationTurnRow.role, ConversationTurnRow.text
        )
        .join(ConversationRow, ConversationRow.id == ConversationTurnRow.conversation_id)
        .where(ConversationRow.study_id == study_id)
    )
    for cid, role, text in rows:
        if role == "participant":
            turns[by_id[cid]] += 1
        else:
            words[by_id[cid]] += len(text.split())
    status = {aid: st for _, aid, st in talks}
    return {"turns": dict(turns), "model_words": dict(words), "conversation": status}


def kept(frame: pd.DataFrame) -> pd.DataFrame:
    """The ratings that enter the analysis (no exclusion reason)."""
    out = frame[frame["exclusion"] == ""].copy()
    out["persuasion"] = out["persuasion"].astype(float)
    out["before"] = out["before"].astype(float)
    out["after"] = out["after"].astype(float)
    return out
