"""The study store: schema (SQLAlchemy 2), Alembic migrations and repository functions."""

from study.store.engine import DEFAULT_DB, ENV_VAR, Store, StoreError, open_store, resolve_url
from study.store.models import (
    ArgumentRow,
    AssignmentRow,
    AttentionAnswerRow,
    Base,
    ClaimRow,
    EventRow,
    GenerationBatchRow,
    GenerationLeaseRow,
    GenerationRequestRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    StudyRow,
    WaveRow,
    WritingTaskRow,
)
from study.store.repo import NotFoundError

__all__ = [
    "DEFAULT_DB",
    "ENV_VAR",
    "ArgumentRow",
    "AssignmentRow",
    "AttentionAnswerRow",
    "Base",
    "ClaimRow",
    "EventRow",
    "GenerationBatchRow",
    "GenerationLeaseRow",
    "GenerationRequestRow",
    "NotFoundError",
    "ParticipantRow",
    "RatingRow",
    "SessionRow",
    "Store",
    "StoreError",
    "StudyRow",
    "WaveRow",
    "WritingTaskRow",
    "open_store",
    "resolve_url",
]
