"""Human writing tasks: one task per (opinion claim, human writer, slot), taken by one writer,
answered with a text whose length the server checks; the text becomes that writer's argument
under the same request key the generation plan uses, so it is never generated twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arguments import HUMAN_STRATEGY, create_writing_tasks, request_key
from study import Study
from study.store import (
    ArgumentRow,
    ClaimRow,
    ParticipantRow,
    Store,
    StudyRow,
    WritingTaskRow,
    add_participant,
    get_study_row,
    log_event,
    study_config,
)
from surveys.hashing import keyed_hash
from surveys.pages import FormError

MAX_CHARS = 20_000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Task:
    id: int
    study: Study
    claim: str
    status: str
    words_min: int
    words_max: int
    instructions: str = ""
    bonus: str = ""


def ensure_writing_tasks(store: Store, study_name: str) -> int:
    """Create the missing tasks (opinion claims × human writers × per_claim) with the study's
    instructions, word range and bonus text; returns how many (see arguments.human)."""
    with store.session() as session:
        row = get_study_row(session, study_name)
        study, study_id = study_config(row), row.id
    return create_writing_tasks(store, study, study_id)


def take_task(store: Store, study_name: str, platform_id: str, key: bytes) -> int:
    """The writer's task: the one they hold, else the first open one (locked while taken)."""
    with store.session() as session:
        row = get_study_row(session, study_name)
        id_hash = keyed_hash(key, platform_id)
        person = session.scalar(
            select(ParticipantRow).where(
                ParticipantRow.study_id == row.id,
                ParticipantRow.platform == "writer",
                ParticipantRow.platform_id_hash == id_hash,
            )
        )
        if person is None:
            person = add_participant(session, row.id, "writer", id_hash)
        held = session.scalar(
            select(WritingTaskRow.id).where(WritingTaskRow.participant_id == person.id)
        )
        if held is not None:
            return int(held)
        task = session.scalar(
            select(WritingTaskRow)
            .where(WritingTaskRow.study_id == row.id, WritingTaskRow.status == "open")
            .order_by(WritingTaskRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if task is None:
            raise FormError(
                "closed", "All writing tasks are taken; thank you for your interest.", 403
            )
        task.status = "assigned"
        task.participant_id = person.id
        return task.id


def load_task(store: Store, task_id: int) -> Task:
    with store.session() as session:
        task = session.get(WritingTaskRow, task_id)
        if task is None:
            raise FormError("no_session", "This writing task does not exist.", 403)
        claim = session.get(ClaimRow, task.claim_id)
        study = _study(session, task.study_id)
        return Task(
            task.id,
            study,
            claim.text if claim else "",
            task.status,
            task.words_min or study.arguments.words_min,
            task.words_max or study.arguments.words_max,
            task.instructions or study.human_writing.instructions,
            task.bonus or study.human_writing.bonus,
        )


def _study(session: Session, study_id: int) -> Study:
    row = session.get(StudyRow, study_id)
    if row is None:
        raise FormError("no_study", "There is no such study.", 404)
    return study_config(row)


def clean_text(raw: str, task: Task) -> str:
    """The submitted text, checked: printable, within the word range."""
    text = CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if len(text) > MAX_CHARS:
        raise FormError("too_long", f"Please keep the text under {MAX_CHARS} characters.")
    words = len(text.split())
    if not task.words_min <= words <= task.words_max:
        raise FormError(
            "word_count",
            f"Your text has {words} words; please write between {task.words_min} and "
            f"{task.words_max} words.",
        )
    return text


def submit_text(store: Store, task_id: int, text: str, pastes: int) -> None:
    """Store the text as the writer's argument (once; a task takes one text)."""
    with store.session() as session:
        task = session.get(WritingTaskRow, task_id, with_for_update=True)
        if task is None or task.status != "assigned":
            raise FormError("stale_page", "This writing task is already submitted.", 409)
        claim = session.get(ClaimRow, task.claim_id)
        study = _study(session, task.study_id)
        if claim is None:
            raise FormError("no_claim", "The claim of this task no longer exists.", 410)
        key = request_key(study.name, claim.key, task.writer, HUMAN_STRATEGY, task.slot, "")
        if session.scalar(select(ArgumentRow.id).where(ArgumentRow.request_key == key)):
            raise FormError("stale_page", "An argument for this task is already stored.", 409)
        argument = ArgumentRow(
            study_id=task.study_id,
            claim_id=task.claim_id,
            request_key=key,
            writer=task.writer,
            writer_kind="human",
            strategy=HUMAN_STRATEGY,
            replicate=task.slot,
            direction=1,
            text=text,
            stop_reason="human",
            quality={"pastes": pastes},
        )
        session.add(argument)
        session.flush()
        task.status = "submitted"
        task.argument_id = argument.id
        task.paste_count = pastes
        task.submitted_at = datetime.now(UTC)
        log_event(session, task.study_id, "writing.submitted", {"task": task.id})
