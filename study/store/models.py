"""The store's schema (SQLAlchemy 2): one place where all state of all studies lives.

Entities follow DESIGN.md §3. Changes to this file go with an Alembic migration in
study/store/migrations/versions (a test checks that the migrations and this file agree).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class StudyRow(Base):
    __tablename__ = "study"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    config_toml: Mapped[str] = mapped_column(Text)
    config_hash: Mapped[str] = mapped_column(String(64))
    claim_set: Mapped[str] = mapped_column(String(200))
    claim_set_hash: Mapped[str] = mapped_column(String(64))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimRow(Base):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("study_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(100))
    stance: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class WaveRow(Base):
    __tablename__ = "wave"
    __table_args__ = (UniqueConstraint("study_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    platform: Mapped[str] = mapped_column(String(32))
    platform_ref: Mapped[str] = mapped_column(String(200), default="")
    target_per_argument: Mapped[int] = mapped_column(Integer)
    # "main" (participants rate arguments) or "follow_up" (the participants of the wave
    # `follows_wave_id` re-rate the claims they rated, with no argument shown)
    kind: Mapped[str] = mapped_column(String(16), default="main", server_default="main")
    follows_wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("wave.id", ondelete="CASCADE", name="fk_wave_follows_wave_id"), nullable=True
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ArgumentRow(Base):
    """An argument with full provenance. `request_key` is unique: a re-run never pays twice."""

    __tablename__ = "argument"
    # covers the assignment pool's query (surveys/assignment.py: candidates) without reading
    # the rows themselves, inside the transaction that holds the write lock
    __table_args__ = (Index("ix_argument_pool", "study_id", "status", "claim_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    writer: Mapped[str] = mapped_column(String(64))
    writer_kind: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    generation: Mapped[str] = mapped_column(String(100), default="")
    model_class: Mapped[str] = mapped_column(String(32), default="")
    generation_order: Mapped[int] = mapped_column(Integer, default=0)
    strategy: Mapped[str] = mapped_column(String(64), default="")
    replicate: Mapped[int] = mapped_column(Integer, default=0)
    prompt_hash: Mapped[str] = mapped_column(String(64), default="")
    request_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    direction: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    stop_reason: Mapped[str] = mapped_column(String(32), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    quality: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="ok")
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    wave_number: Mapped[int] = mapped_column(Integer, default=1)
    # "conversation": a conversation slot (its text is the system prompt; participants converse)
    format: Mapped[str] = mapped_column(String(16), default="static", server_default="static")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WritingTaskRow(Base):
    __tablename__ = "writing_task"
    __table_args__ = (UniqueConstraint("study_id", "claim_id", "writer", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"))
    writer: Mapped[str] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), nullable=True)
    argument_id: Mapped[int | None] = mapped_column(ForeignKey("argument.id"), nullable=True)
    paste_count: Mapped[int] = mapped_column(Integer, default=0)
    instructions: Mapped[str] = mapped_column(Text, default="")
    words_min: Mapped[int] = mapped_column(Integer, default=0)
    words_max: Mapped[int] = mapped_column(Integer, default=0)
    bonus: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # the platform's submission id of the writer who took the task (Prolific's SESSION_ID;
    # never a participant id) and what the writing study's review sent for it
    platform_session: Mapped[str] = mapped_column(String(200), default="")
    review: Mapped[str] = mapped_column(String(16), default="")
    writing_wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("writing_wave.id", ondelete="SET NULL"), nullable=True
    )


class WritingWaveRow(Base):
    """A writing wave: the recruitment platform's study that brings human writers to the
    writing tasks, run before the rating waves that show their arguments."""

    __tablename__ = "writing_wave"
    __table_args__ = (UniqueConstraint("study_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    platform: Mapped[str] = mapped_column(String(32))
    platform_ref: Mapped[str] = mapped_column(String(200), default="")
    places: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class GenerationBatchRow(Base):
    """A submitted Message Batch: kept so that a re-run after a crash collects it instead of
    paying for its requests again."""

    __tablename__ = "generation_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    provider_batch_id: Mapped[str] = mapped_column(String(100), unique=True)
    model: Mapped[str] = mapped_column(String(140))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    request_keys: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class GenerationRequestRow(Base):
    """One attempt at a model request: the spending ledger. Written (state `sent`, with its
    worst-case cost) before the request leaves, and updated as soon as the outcome is known:
    `answered` (billed: usage and cost), `failed` (refused by the provider: not billed). A row
    left `sent` is a request whose outcome is unknown (a crash, a timeout); its worst-case cost
    counts as spent. Batch items carry the batch's submission token, then its provider id."""

    __tablename__ = "generation_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    request_key: Mapped[str] = mapped_column(String(64), index=True)
    writer: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(140))
    api: Mapped[str] = mapped_column(String(16), default="messages")
    state: Mapped[str] = mapped_column(String(16), default="sent")
    submission: Mapped[str] = mapped_column(String(40), default="")
    batch_id: Mapped[str] = mapped_column(String(100), default="")
    worst_usd: Mapped[float] = mapped_column(Float, default=0.0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    run: Mapped[str] = mapped_column(String(40), default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class GenerationLeaseRow(Base):
    """Who is generating a study right now: one row per study, renewed while the run lives.
    `token` fences writes: a run whose token was replaced (its lease taken over) stops."""

    __tablename__ = "generation_lease"
    study_id: Mapped[int] = mapped_column(
        ForeignKey("study.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(40))
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)


class ParticipantRow(Base):
    """A participant; the platform id is stored only as a keyed hash."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("study_id", "platform", "platform_id_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_id_hash: Mapped[str] = mapped_column(String(64))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    demographics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionRow(Base):
    __tablename__ = "survey_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    step: Mapped[int] = mapped_column(Integer, default=0)
    platform_session: Mapped[str] = mapped_column(String(200), default="")
    completion_code: Mapped[str] = mapped_column(String(64), default="")
    review: Mapped[str] = mapped_column(String(16), default="")
    exclusion: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AssignmentRow(Base):
    """One item (argument) shown to one participant, with its reservation expiry."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("session_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("survey_session.id", ondelete="CASCADE"), index=True
    )
    argument_id: Mapped[int] = mapped_column(ForeignKey("argument.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="reserved")
    reserved_until: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RatingRow(Base):
    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True
    )
    before: Mapped[int] = mapped_column(Integer)
    after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before_at: Mapped[datetime] = mapped_column(default=utcnow)
    argument_shown_at: Mapped[datetime | None] = mapped_column(nullable=True)
    after_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reading_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    focus_losses: Mapped[int] = mapped_column(Integer, default=0)
    pastes: Mapped[int] = mapped_column(Integer, default=0)


class ConversationRow(Base):
    """One participant's conversation with a conversation writer (one per assignment):
    `open` while it runs, `ended` (by the participant or a limit: `end_reason`), or `failed`
    (the provider failed after retries, or the budget ran out: the item is excluded)."""

    __tablename__ = "conversation"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("survey_session.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True
    )
    writer: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ConversationTurnRow(Base):
    """One message of a conversation: turn t has the participant's message (role
    `participant`) and the model's reply (role `model`, with its request key in the spending
    ledger, tokens, cost and latency). Each is committed before it is acknowledged."""

    __tablename__ = "conversation_turn"
    __table_args__ = (UniqueConstraint("conversation_id", "turn", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    turn: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    request_key: Mapped[str] = mapped_column(String(64), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    pastes: Mapped[int] = mapped_column(Integer, default=0)
    keystrokes: Mapped[int] = mapped_column(Integer, default=0)
    typing_ms: Mapped[int] = mapped_column(Integer, default=0)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpSessionRow(Base):
    """One participant of a follow-up wave: invited when the follow-up opens (a link study's
    personal link is the token whose SHA-256 is `token_hash`), then active and completed.
    `platform_session` is the platform's submission id (Prolific's SESSION_ID)."""

    __tablename__ = "follow_up_session"
    __table_args__ = (UniqueConstraint("wave_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="invited")
    platform_session: Mapped[str] = mapped_column(String(200), default="")
    completion_code: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class FollowUpRatingRow(Base):
    """A follow-up answer: support for the claim of an item (`assignment_id`, from the
    original wave) asked again at the follow-up, with no argument shown."""

    __tablename__ = "follow_up_rating"
    __table_args__ = (UniqueConstraint("follow_up_session_id", "assignment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_session_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_session.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    support: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttentionAnswerRow(Base):
    __tablename__ = "attention_answer"
    __table_args__ = (UniqueConstraint("session_id", "check_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("survey_session.id", ondelete="CASCADE"), index=True
    )
    check_key: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(200))
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventRow(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("study.id", ondelete="CASCADE"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
