"""The follow-up answers from the store, joined to the tidy ratings table."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from analysis.follow_up import FOLLOW_UP_COLUMNS
from study.store import (
    AssignmentRow,
    FollowUpRatingRow,
    FollowUpSessionRow,
    RatingRow,
    SessionRow,
    Store,
    WaveRow,
)


def follow_up_answers(store: Store, study_id: int) -> pd.DataFrame:
    """One row per rating asked again at a follow-up: the original rating's `session` and
    `position` (its keys in the ratings table), the follow-up wave's number, the support given
    (`follow_up`, NaN while unanswered: its participant was invited and has not answered)
    and the days between the after-rating and the follow-up answer."""
    original = SessionRow.__table__.alias("original")
    with store.session() as session:
        rows = session.execute(
            select(
                AssignmentRow.session_id,
                AssignmentRow.position,
                WaveRow.number,
                FollowUpRatingRow.support,
                RatingRow.after_at,
                FollowUpRatingRow.answered_at,
            )
            .select_from(FollowUpSessionRow)
            .join(WaveRow, WaveRow.id == FollowUpSessionRow.wave_id)
            .join(
                original,
                (original.c.participant_id == FollowUpSessionRow.participant_id)
                & (original.c.wave_id == WaveRow.follows_wave_id),
            )
            .join(AssignmentRow, AssignmentRow.session_id == original.c.id)
            .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            .outerjoin(
                FollowUpRatingRow,
                (FollowUpRatingRow.follow_up_session_id == FollowUpSessionRow.id)
                & (FollowUpRatingRow.assignment_id == AssignmentRow.id),
            )
            .where(WaveRow.study_id == study_id, WaveRow.kind == "follow_up")
            .order_by(WaveRow.number, AssignmentRow.session_id, AssignmentRow.position)
        ).all()
    frame = pd.DataFrame(
        rows, columns=["session", "position", "follow_up_wave", "follow_up", "rated", "answered"]
    )
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="float") for c in FOLLOW_UP_COLUMNS})
    frame["follow_up"] = frame["follow_up"].astype(float)
    delay = pd.to_datetime(frame["answered"], utc=True) - pd.to_datetime(frame["rated"], utc=True)
    frame["follow_up_days"] = delay.dt.total_seconds() / 86400
    return frame[FOLLOW_UP_COLUMNS]
