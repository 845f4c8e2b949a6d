"""Conversation items of a survey session: the chat step between the two ratings.

A conversation item's argument step is a chat: the participant writes, the model replies
(arguments.replies), and the Continue button (the after-rating) works once `min_turns` of
their messages are answered, or once the conversation ended (a limit, or a reply that failed).
Every participant message is committed, inside a transaction that locks the session row,
before it is acknowledged; a message is taken only while the previous one is answered, so a
double click or a replayed form cannot add a turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arguments import MODEL_ROLE as MODEL
from arguments import PARTICIPANT_ROLE as PARTICIPANT
from arguments import end_conversation as end
from arguments import limit_reached
from study import MAX_MESSAGE_CHARS, ConversationLimits, Study
from study.store import ConversationRow, ConversationTurnRow, SessionRow, Store, WaveRow
from surveys.assignment import aware, renew
from surveys.pages import MAX_COUNTER, Field, FormError
from surveys.sessions import View, check_open

CONVERSATION = "conversation"
MESSAGE_SIGNALS = (
    Field("pastes", 0, MAX_COUNTER, optional=True),
    Field("keystrokes", 0, MAX_COUNTER, optional=True),
    Field("typing_ms", 0, MAX_COUNTER, optional=True),
)
ENDINGS = {
    "max_turns": "You have reached the number of messages for this conversation.",
    "max_minutes": "The time for this conversation is up.",
    "max_conversation_tokens": "This conversation has reached its length limit.",
    "participant": "You have ended this conversation.",
}
FAILED = (
    "Sorry, the assistant could not answer just now, so this conversation has ended. "
    "Please continue; your place and payment are not affected."
)


@dataclass(frozen=True)
class Message:
    turn: int
    role: str
    text: str


@dataclass(frozen=True)
class ChatState:
    """What the chat page shows: the messages, the reply awaited (its turn, 0 for none),
    and whether the participant may write or continue."""

    conversation_id: int
    status: str
    end_reason: str
    messages: tuple[Message, ...]
    pending: int
    answered: int
    limits: ConversationLimits
    seconds_left: int

    @property
    def can_post(self) -> bool:
        return self.status == "open" and not self.pending and self.seconds_left > 0

    @property
    def can_continue(self) -> bool:
        if self.pending:
            return False
        return self.status != "open" or self.answered >= self.limits.min_turns

    @property
    def notice(self) -> str:
        if self.status == "failed":
            return FAILED
        if self.status == "ended":
            return ENDINGS.get(self.end_reason, "This conversation has ended.")
        return ""


def page_context(state: ChatState) -> dict[str, Any]:
    """What chat.html needs besides the page context."""
    return {
        "kind": "chat",
        "chat": state,
        "messages": [
            {"turn": m.turn, "role": m.role, "paragraphs": m.text.split("\n\n")}
            for m in state.messages
        ],
    }


def conversation_of(
    session: Session, assignment_id: int, *, lock: bool = False
) -> ConversationRow | None:
    query = select(ConversationRow).where(ConversationRow.assignment_id == assignment_id)
    return session.scalar(query.with_for_update() if lock else query)


def open_conversation(
    session: Session, session_id: int, assignment_id: int, writer: str, now: datetime
) -> ConversationRow:
    """The item's conversation, started now if it has none (in the caller's transaction)."""
    found = conversation_of(session, assignment_id, lock=True)
    if found is not None:
        return found
    study_id = session.scalar(
        select(WaveRow.study_id)
        .join(SessionRow, SessionRow.wave_id == WaveRow.id)
        .where(SessionRow.id == session_id)
    )
    row = ConversationRow(
        study_id=study_id,
        session_id=session_id,
        assignment_id=assignment_id,
        writer=writer,
        status="open",
        started_at=now,
    )
    session.add(row)
    session.flush()
    return row


def turns_of(session: Session, conversation_id: int) -> list[ConversationTurnRow]:
    return list(
        session.scalars(
            select(ConversationTurnRow)
            .where(ConversationTurnRow.conversation_id == conversation_id)
            .order_by(ConversationTurnRow.turn, ConversationTurnRow.id)
        )
    )


def state_of(
    session: Session, conversation: ConversationRow, limits: ConversationLimits, now: datetime
) -> ChatState:
    turns = turns_of(session, conversation.id)
    asked = sum(t.role == PARTICIPANT for t in turns)
    answered = sum(t.role == MODEL for t in turns)
    deadline = (aware(conversation.started_at) or now) + timedelta(minutes=limits.max_minutes)
    return ChatState(
        conversation.id,
        conversation.status,
        conversation.end_reason,
        tuple(Message(t.turn, t.role, t.text) for t in turns),
        asked if asked > answered and conversation.status != "failed" else 0,
        answered,
        limits,
        max(0, int((deadline - now).total_seconds())),
    )


def check_message(text: str) -> str:
    """A participant message, stripped; refused when empty or too long."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise FormError("empty_message", "Please write a message before sending it.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise FormError(
            "message_too_long",
            f"Please keep a message under {MAX_MESSAGE_CHARS} characters "
            f"(this one has {len(text)}).",
        )
    return text


def add_message(
    session: Session,
    sess: SessionRow,
    study: Study,
    conversation: ConversationRow,
    text: str,
    signals: dict[str, Any],
    now: datetime,
) -> int | str:
    """Add the participant's next message (in the caller's transaction, which locks the
    session row); returns its turn, or why the conversation ended now (a limit reached)."""
    limits = study.writer(conversation.writer).limits
    state = state_of(session, conversation, limits, now)
    if conversation.status != "open":
        raise FormError("conversation_ended", "This conversation has ended; please continue.", 409)
    if state.pending:
        raise FormError(
            "reply_pending", "Please wait for the reply to your last message.", status=409
        )
    reason = (
        "max_minutes"
        if state.seconds_left <= 0
        else limit_reached(session, conversation, study.writer(conversation.writer))
    )
    if reason:
        end(conversation, "ended", reason)
        return reason
    turn = state.answered + 1
    session.add(
        ConversationTurnRow(
            conversation_id=conversation.id,
            turn=turn,
            role=PARTICIPANT,
            text=text,
            pastes=int(signals.get("pastes") or 0),
            keystrokes=int(signals.get("keystrokes") or 0),
            typing_ms=int(signals.get("typing_ms") or 0),
            started_at=now,
            created_at=now,
        )
    )
    renew(session, study, sess, now)
    return turn


def finish(session: Session, assignment_id: int, limits: ConversationLimits) -> int:
    """The participant continues from a chat: allowed after `min_turns` answered messages,
    or once the conversation ended; ends it. Returns the pastes over their messages."""
    conversation = conversation_of(session, assignment_id, lock=True)
    if conversation is None:
        raise FormError("no_conversation", "Please talk with the assistant first.", 409)
    now = datetime.now(UTC)
    state = state_of(session, conversation, limits, now)
    if state.pending:
        raise FormError("reply_pending", "Please wait for the reply to your last message.", 409)
    if not state.can_continue:
        raise FormError(
            "too_few_turns",
            f"Please send at least {limits.min_turns} messages before you continue "
            f"({state.answered} so far).",
        )
    if conversation.status == "open":
        end(conversation, "ended", "participant")
    turns = turns_of(session, conversation.id)
    return sum(t.pastes for t in turns if t.role == PARTICIPANT)


def load_state(store: Store, assignment_id: int, limits: ConversationLimits) -> ChatState | None:
    with store.session() as session:
        conversation = conversation_of(session, assignment_id)
        if conversation is None:
            return None
        return state_of(session, conversation, limits, datetime.now(UTC))


@dataclass(frozen=True)
class Posted:
    """A message committed (`turn`) or refused because the conversation just ended."""

    conversation_id: int
    turn: int = 0
    ended: str = ""


def post_message(
    store: Store,
    view: View,
    posted_step: int,
    text: str,
    signals: dict[str, Any],
    now: datetime | None = None,
) -> Posted:
    """Commit the participant's next message on the session's current chat step."""
    now = now or datetime.now(UTC)
    text = check_message(text)
    with store.session() as session:
        sess = session.get(SessionRow, view.session_id, with_for_update=True)
        if sess is None:
            raise FormError("no_session", "Your session no longer exists.", 403)
        check_open(sess, now)
        step = view.steps[min(sess.step, len(view.steps) - 1)]
        item = view.items[step.item] if step.item >= 0 else None
        if posted_step != sess.step or step.kind != "argument" or item is None:
            raise FormError("stale_page", "This page has changed; continue from it.", 409)
        if not item.conversation:
            raise FormError("not_a_chat", "This page takes no messages.", 409)
        conversation = open_conversation(
            session, view.session_id, item.assignment_id, item.writer, now
        )
        got = add_message(session, sess, view.study, conversation, text, signals, now)
        if isinstance(got, str):
            return Posted(conversation.id, ended=got)
        return Posted(conversation.id, turn=got)


def chat_of(store: Store, view: View) -> ChatState | None:
    """The chat of the session's current step (None when it is not a chat)."""
    step = view.step
    if step.kind != "argument" or not view.items[step.item].conversation:
        return None
    item = view.items[step.item]
    return load_state(store, item.assignment_id, view.study.writer(item.writer).limits)
