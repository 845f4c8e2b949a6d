"""Conversation fixtures: a study with a static and a conversation arm of one model, fielded
on a link wave with few arguments (mostly conversation slots)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from arguments import generate_all
from claims import load_claim_set
from study.config import Study, parse_study
from study.store import ArgumentRow, ClaimRow, Store
from study.store.repo import open_wave, register_study

KEY = b"c" * 32

STUDY = """
[study]
name = "NAME"
claims = "default"
seed = 11

[[writers]]
id = "essay"
kind = "model"
model = "offline/compact-1"
generation = "Compact 1"
class = "compact"
order = 1
strategies = ["compelling_case"]
true_effect = 0.3

[[writers]]
id = "chat"
kind = "model"
model = "MODEL"
generation = "Compact 1"
class = "compact"
order = 1
format = "conversation"
strategies = ["chat_persuade"]
true_effect = 0.3

[writers.conversation]
min_turns = 2
max_turns = 3
max_reply_tokens = 120
max_conversation_tokens = 600

[control]
writer = "essay"

[participants]
per_argument = 1
items_per_participant = 2
words_per_minute = 2000

[analysis]
reference = "essay"
"""


def chat_study_text(
    name: str = "chat-test", model: str = "offline/compact-1", extra: str = ""
) -> str:
    return STUDY.replace("NAME", name).replace("MODEL", model) + extra


@dataclass(frozen=True)
class ChatField:
    store: Store
    study: Study
    study_id: int
    wave_id: int


def field_chat_study(
    store: Store, text: str | None = None, topics: int = 6, essays: int = 1
) -> ChatField:
    """Register and generate the study, keep the conversation slots of `topics` topics and
    `essays` static essays (short), and open a link wave."""
    text = text or chat_study_text()
    study = parse_study(text)
    with store.session() as session:
        study_id = register_study(session, study, text, load_claim_set(study.study.claims)).id
    generate_all(store, study, study_id)
    with store.session() as session:
        names = sorted(
            set(session.scalars(select(ClaimRow.topic).where(ClaimRow.study_id == study_id)))
        )
        keep = names[:topics]
        chats = (
            select(ArgumentRow.id)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.format == "conversation", ClaimRow.topic.in_(keep))
        )
        static = (
            select(ArgumentRow.id)
            .where(ArgumentRow.format == "static")
            .order_by(ArgumentRow.id)
            .limit(essays)
        )
        kept = set(session.scalars(chats)) | set(session.scalars(static))
        session.execute(delete(ArgumentRow).where(ArgumentRow.id.not_in(kept)))
        session.query(ArgumentRow).filter(ArgumentRow.format == "static").update(
            {ArgumentRow.text: "A short essay.\n\nIt has two paragraphs."}
        )
        wave_id = open_wave(session, study_id, "link", study.participants.per_argument).id
    return ChatField(store, study, study_id, wave_id)
