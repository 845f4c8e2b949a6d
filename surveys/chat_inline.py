"""Conversations of the inline simulated panel: the same messages, replies and transcript
turns as a participant's on the chat page (surveys.chat, arguments.replies), held in-process
for the sessions the panel writes at once. Each message is committed, then answered; a reply
that fails ends the conversation as `failed`, exactly as on the page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from arguments import Replier, end_conversation
from study import Study
from study.store import SessionRow, Store
from surveys.chat import add_message, conversation_of, open_conversation
from surveys.simulated import participant_message


@dataclass(frozen=True)
class Planned:
    """A conversation to hold: the written session, its item, the writer and its turns."""

    session_id: int
    assignment_id: int
    writer: str
    turns: int


async def hold_all(store: Store, study: Study, talks: list[Planned], seed: int) -> int:
    """Hold every planned conversation; returns the replies written."""
    replier = Replier.create(store)
    try:
        replies = 0
        for talk in talks:
            replies += await hold(replier, store, study, talk, seed)
        return replies
    finally:
        await replier.aclose()


async def hold(replier: Replier, store: Store, study: Study, talk: Planned, seed: int) -> int:
    rng = np.random.default_rng([seed, talk.assignment_id])
    replies = 0
    try:
        for turn in range(1, talk.turns + 1):
            text = participant_message(rng, turn, f"item {talk.assignment_id}, ")
            if not await say(replier, store, study, talk, text):
                break
            replies += 1
    finally:
        await asyncio.to_thread(_close, store, talk)
    return replies


async def say(replier: Replier, store: Store, study: Study, talk: Planned, text: str) -> bool:
    """One message and its reply; False when the conversation ended instead."""
    signals = {"pastes": 0, "keystrokes": len(text), "typing_ms": 4000}
    posted = await asyncio.to_thread(_post, store, study, talk, text, signals)
    if posted is None:
        return False
    reply = await replier.reply(posted[0], posted[1])
    return reply.status == "answered"


def _close(store: Store, talk: Planned) -> None:
    """The participant goes on after the turns they meant to hold (as Continue does)."""
    with store.session() as session:
        conversation = conversation_of(session, talk.assignment_id, lock=True)
        if conversation is not None and conversation.status == "open":
            end_conversation(conversation, "ended", "participant")


def _post(
    store: Store, study: Study, talk: Planned, text: str, signals: dict[str, int]
) -> tuple[int, int] | None:
    now = datetime.now(UTC)
    with store.session() as session:
        sess = session.get_one(SessionRow, talk.session_id, with_for_update=True)
        conversation = open_conversation(session, sess.id, talk.assignment_id, talk.writer, now)
        if conversation.status != "open":
            return None
        got = add_message(session, sess, study, conversation, text, dict(signals), now)
        return None if isinstance(got, str) else (conversation.id, got)
