"""Sessions of a wave as the fieldwork side sees them: status, completion code, attention
results and review state, without platform ids (plain functions, no web app needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from study.store import AttentionAnswerRow, SessionRow, Store
from surveys import aware


@dataclass(frozen=True)
class SessionSummary:
    """One session of a wave, as the fieldwork side needs it (no platform ids)."""

    session_id: int
    participant_id: int
    platform_session: str
    status: str
    step: int
    completion_code: str
    failed_checks: int
    exclusion: str
    review: str
    created_at: datetime
    expires_at: datetime | None
    completed_at: datetime | None


def wave_sessions(store: Store, wave_id: int) -> list[SessionSummary]:
    """Every session of a wave with its status, completion code and attention results."""
    failed = (
        select(AttentionAnswerRow.session_id, func.count().label("n"))
        .where(AttentionAnswerRow.passed.is_(False))
        .group_by(AttentionAnswerRow.session_id)
        .subquery()
    )
    with store.session() as session:
        rows = session.execute(
            select(SessionRow, func.coalesce(failed.c.n, 0))
            .outerjoin(failed, failed.c.session_id == SessionRow.id)
            .where(SessionRow.wave_id == wave_id)
            .order_by(SessionRow.id)
        ).all()
        return [
            SessionSummary(
                s.id,
                s.participant_id,
                s.platform_session,
                s.status,
                s.step,
                s.completion_code,
                int(n),
                s.exclusion,
                s.review,
                aware(s.created_at) or s.created_at,
                aware(s.expires_at),
                aware(s.completed_at),
            )
            for s, n in rows
        ]


def session_by_platform_session(store: Store, platform_session: str) -> int | None:
    """The session id for a platform's own session/submission id (e.g. Prolific SESSION_ID)."""
    with store.session() as session:
        return session.scalar(
            select(SessionRow.id).where(SessionRow.platform_session == platform_session)
        )
