"""The store side of conversation replies: what a reply needs, claiming its request in the
spending ledger, and recording its outcome. Each function is one transaction.

Claiming is atomic: inside one transaction that locks the conversation row (SQLite: every
transaction begins IMMEDIATE), a reply already stored is returned, a live attempt of another
process is waited for, and otherwise a `sent` attempt is written ahead with its worst case.
The answer and its transcript turn are committed together with the attempt's `answered`
state, so a reply is never requested again once it was billed and stored."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from arguments import ledger
from arguments.registry import ModelInfo, model_for
from study import Study, Writer
from study.store import (
    ArgumentRow,
    AssignmentRow,
    ClaimRow,
    ConversationRow,
    ConversationTurnRow,
    GenerationRequestRow,
    Store,
    StudyRow,
    study_config,
    utcnow,
)

PARTICIPANT_ROLE, MODEL_ROLE = "participant", "model"
PARTICIPANT, MODEL = PARTICIPANT_ROLE, MODEL_ROLE
MIN_REPLY_TOKENS = 16


def reply_key(study: str, session_id: int, position: int, turn: int) -> str:
    """The request key of the model's reply to turn `turn` of one item of one session."""
    raw = f"{study}|conversation|{session_id}|{position}|{turn}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def process_run() -> str:
    """This process's mark on the attempts it sends (its pid says whether it still lives)."""
    return f"chat {os.getpid()}"


def run_alive(run: str) -> bool:
    """Whether the process that wrote an attempt still runs on this machine."""
    kind, _, pid = run.partition(" ")
    if kind != "chat" or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Talk:
    """What one reply needs: the conversation, its writer and model, the history up to the
    participant's message of `turn`, and the reply's request key and token bound."""

    conversation_id: int
    study_id: int
    study: Study
    writer: Writer
    model: ModelInfo
    system: str
    claim: str
    claim_key: str
    strategy: str
    turn: int
    key: str
    history: tuple[tuple[str, str], ...]
    max_tokens: int

    @property
    def worst_usd(self) -> float:
        """The attempt's worst case: every character of the prompt a token."""
        chars = len(self.system) + sum(len(text) for _, text in self.history)
        return self.model.cost(chars, self.max_tokens)


@dataclass(frozen=True)
class Stored:
    """A reply that is already in the store."""

    text: str


@dataclass(frozen=True)
class Closed:
    """A conversation that failed: no reply is asked for any more."""

    reason: str


def _turns(session: Session, conversation_id: int) -> list[ConversationTurnRow]:
    return list(
        session.scalars(
            select(ConversationTurnRow)
            .where(ConversationTurnRow.conversation_id == conversation_id)
            .order_by(ConversationTurnRow.turn, ConversationTurnRow.id)
        )
    )


def load_talk(session: Session, conversation_id: int, turn: int) -> Talk | Stored | Closed:
    """The reply to `turn` as stored, or what it needs to be written (Closed once the
    conversation failed)."""
    talk = session.get_one(ConversationRow, conversation_id)
    turns = _turns(session, conversation_id)
    done = [t for t in turns if t.turn == turn and t.role == MODEL]
    if done:
        return Stored(done[0].text)
    if talk.status == "failed":
        return Closed(talk.end_reason)
    assignment = session.get_one(AssignmentRow, talk.assignment_id)
    argument = session.get_one(ArgumentRow, assignment.argument_id)
    claim = session.get_one(ClaimRow, argument.claim_id)
    study = study_config(session.get_one(StudyRow, talk.study_id))
    writer = study.writer(argument.writer)
    limits = writer.limits
    used = sum(t.output_tokens for t in turns if t.role == MODEL)
    history = tuple(
        ("user" if t.role == PARTICIPANT else "assistant", t.text) for t in turns if t.turn <= turn
    )
    return Talk(
        conversation_id,
        talk.study_id,
        study,
        writer,
        model_for(study, writer),
        argument.text,
        claim.text,
        claim.key,
        argument.strategy,
        turn,
        reply_key(study.name, talk.session_id, assignment.position, turn),
        history,
        max(0, min(limits.max_reply_tokens, limits.max_conversation_tokens - used)),
    )


@dataclass(frozen=True)
class Claimed:
    attempt_id: int


@dataclass(frozen=True)
class Busy:
    """Another live process is sending this reply's request right now."""


@dataclass(frozen=True)
class OverBudget:
    spent_usd: float


def claim(
    store: Store, talk: Talk, run: str, wait_seconds: float
) -> Claimed | Stored | Closed | Busy | OverBudget:
    """Write an attempt of the reply ahead (state `sent`), unless it is stored, in flight in
    a live process (for at most `wait_seconds`), or would pass the budget: the study's spend
    (billed, and unknown at its worst case) plus this attempt's worst case."""
    with store.session() as session:
        session.get_one(ConversationRow, talk.conversation_id, with_for_update=True)
        done = load_talk(session, talk.conversation_id, talk.turn)
        if isinstance(done, (Stored, Closed)):
            return done
        spent = ledger.spending(session, talk.study_id).total_usd
        if spent + talk.worst_usd > talk.study.arguments.budget_usd + 1e-12:
            return OverBudget(spent)
        since = utcnow() - timedelta(seconds=wait_seconds)
        live = session.scalars(
            select(GenerationRequestRow.run).where(
                GenerationRequestRow.study_id == talk.study_id,
                GenerationRequestRow.request_key == talk.key,
                GenerationRequestRow.state == ledger.SENT,
                GenerationRequestRow.sent_at > since,
            )
        ).all()
        if any(r != run and run_alive(r) for r in live):
            return Busy()
        item = ledger.Outgoing(talk.key, talk.writer.id, talk.model.id, talk.worst_usd)
        [attempt] = ledger.open_attempts(session, talk.study_id, [item], api="messages", run=run)
        return Claimed(attempt)


@dataclass(frozen=True)
class Answer:
    text: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: int
    placeholder: bool
    started_at: datetime


def record_answer(store: Store, talk: Talk, attempt_id: int | None, answer: Answer) -> None:
    """The reply's transcript turn and its attempt's `answered` state, in one transaction;
    the conversation ends when a limit is reached."""
    with store.session() as session:
        conversation = session.get_one(ConversationRow, talk.conversation_id, with_for_update=True)
        if attempt_id is not None:
            session.execute(
                update(GenerationRequestRow)
                .where(GenerationRequestRow.id == attempt_id)
                .values(
                    state=ledger.ANSWERED,
                    input_tokens=answer.input_tokens,
                    output_tokens=answer.output_tokens,
                    cost_usd=answer.cost_usd,
                    ended_at=utcnow(),
                )
            )
        session.add(
            ConversationTurnRow(
                conversation_id=talk.conversation_id,
                turn=talk.turn,
                role=MODEL,
                text=answer.text,
                request_key=talk.key,
                input_tokens=answer.input_tokens,
                output_tokens=answer.output_tokens,
                cost_usd=answer.cost_usd,
                latency_ms=answer.latency_ms,
                placeholder=answer.placeholder,
                started_at=answer.started_at,
            )
        )
        session.flush()
        limit = limit_reached(session, conversation, talk.writer)
        if limit and conversation.status == "open":
            end_conversation(conversation, "ended", limit)


def limit_reached(session: Session, conversation: ConversationRow, writer: Writer) -> str:
    """Why the conversation takes no more messages ('' while it does)."""
    limits = writer.limits
    used, turns = session.execute(
        select(
            func.coalesce(func.sum(ConversationTurnRow.output_tokens), 0),
            func.count(ConversationTurnRow.id),
        ).where(
            ConversationTurnRow.conversation_id == conversation.id,
            ConversationTurnRow.role == MODEL,
        )
    ).one()
    if turns >= limits.max_turns:
        return "max_turns"
    if limits.max_conversation_tokens - used < MIN_REPLY_TOKENS:
        return "max_conversation_tokens"
    return ""


def record_failure(store: Store, attempt_id: int, error: str, *, unknown: bool) -> None:
    """An attempt the provider refused (`failed`, not billed), or whose outcome is unknown
    (left `sent`, counted at its worst case, with the error noted)."""
    values: dict[str, object] = {"error": error[:2000]}
    if not unknown:
        values.update(state=ledger.FAILED, ended_at=utcnow())
    with store.session() as session:
        session.execute(
            update(GenerationRequestRow).where(GenerationRequestRow.id == attempt_id).values(values)
        )


def fail_conversation(store: Store, conversation_id: int, reason: str) -> None:
    """End a conversation whose reply could not be written (its item is then excluded)."""
    with store.session() as session:
        conversation = session.get_one(ConversationRow, conversation_id, with_for_update=True)
        if conversation.status == "open":
            end_conversation(conversation, "failed", reason)


def end_conversation(conversation: ConversationRow, status: str, reason: str) -> None:
    conversation.status = status
    conversation.end_reason = reason[:200]
    conversation.ended_at = utcnow()
