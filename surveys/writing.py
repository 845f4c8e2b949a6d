"""Human writing tasks: one task per (opinion claim, human writer, slot), taken by one writer,
answered with a text whose length the server checks; the text becomes that writer's argument
under the same request key the generation plan uses, so it is never generated twice.

A writer's claim on a task lapses after `human_writing.claim_minutes` without a submission
and the task returns to the pool. Submitted text is normalised (NFC; control characters and
bidirectional overrides removed) and stored as `pending_review`: participants are assigned
only approved (`ok`) arguments, so no one reads a writer's text before the researcher does
(`review_queue`, `decide`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
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
from surveys.hashing import keyed_hash, same
from surveys.pages import FormError

MAX_CHARS = 20_000
# C0/C1 controls except tab and newline, and the bidirectional embeddings, overrides, isolates
# and marks (U+202E would make "evil" render as "live").
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PENDING = "pending_review"


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
    platform_session: str = ""


def ensure_writing_tasks(store: Store, study_name: str) -> int:
    """Create the missing tasks (opinion claims × human writers × per_claim) with the study's
    instructions, word range and bonus text; returns how many (see arguments.human)."""
    with store.session() as session:
        row = get_study_row(session, study_name)
        study, study_id = study_config(row), row.id
    return create_writing_tasks(store, study, study_id)


def take_task(
    store: Store,
    study_name: str,
    platform_id: str,
    key: bytes,
    now: datetime | None = None,
    platform_session: str = "",
) -> int:
    """The writer's task: the one they hold, else the first open one (locked while taken).
    Claims older than the study's `claim_minutes` go back to the pool first. A writer from
    the writing study brings its submission id (`platform_session`, Prolific's SESSION_ID),
    kept on the task so the submission can be reviewed and paid."""
    now = now or datetime.now(UTC)
    with store.session() as session:
        row = get_study_row(session, study_name)
        study = study_config(row)
        lapsed = now - timedelta(minutes=study.human_writing.claim_minutes)
        session.execute(
            update(WritingTaskRow)
            .where(
                WritingTaskRow.study_id == row.id,
                WritingTaskRow.status == "assigned",
                WritingTaskRow.claimed_at < lapsed,
            )
            .values(status="open", participant_id=None, claimed_at=None, platform_session="")
        )
        person = _writer(session, row.id, keyed_hash(key, platform_id))
        held = session.scalar(
            select(WritingTaskRow).where(WritingTaskRow.participant_id == person.id).limit(1)
        )
        if held is not None:
            held.platform_session = held.platform_session or platform_session
            return held.id
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
        task.claimed_at = now
        task.platform_session = platform_session
        return task.id


def _writer(session: Session, study_id: int, id_hash: str) -> ParticipantRow:
    person = session.scalar(
        select(ParticipantRow).where(
            ParticipantRow.study_id == study_id,
            ParticipantRow.platform == "writer",
            ParticipantRow.platform_id_hash == id_hash,
        )
    )
    if person is None:
        person = add_participant(session, study_id, "writer", id_hash)
    return person


def invite_token(key: bytes, study_name: str, number: int) -> str:
    """The writer invitation `number` of a study: `N.SIGNATURE`, checked by `invited`."""
    return f"{number}.{keyed_hash(key, f'{study_name}:{number}', 'writer-invite')[:24]}"


def invited(key: bytes, study_name: str, token: str) -> str:
    """The writer id behind an invitation token, or '' when the token is not one of ours."""
    number, _, _ = token.partition(".")
    if not (number.isascii() and number.isdigit() and len(number) < 7):
        return ""
    expected = invite_token(key, study_name, int(number))
    return f"invite:{int(number)}" if same(token, expected) else ""


def writer_identity(store: Store, study_name: str, key: bytes, token: str, platform_id: str) -> str:
    """Who may start a writing task: the holder of an invitation token from the researcher's
    list (`persuasion survey invites`), or on a Prolific study a Prolific participant id."""
    if token:
        writer = invited(key, study_name, token)
        if writer:
            return writer
        raise FormError("invalid_invite", "This invitation link is not valid; ask for a new one.")
    with store.session() as session:
        platform = study_config(get_study_row(session, study_name)).recruitment.platform
    if platform == "prolific" and platform_id:
        return f"prolific:{platform_id}"
    raise FormError(
        "invite_needed",
        "Writing tasks open only from an invitation link (or from Prolific on Prolific studies).",
        403,
    )


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
            task.platform_session,
        )


def _study(session: Session, study_id: int) -> Study:
    row = session.get(StudyRow, study_id)
    if row is None:
        raise FormError("no_study", "There is no such study.", 404)
    return study_config(row)


def normalise(raw: str) -> str:
    """Writer text as stored: Unicode NFC, newlines as LF, control characters and bidirectional
    embeddings/overrides/isolates/marks removed, outer whitespace stripped."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return CONTROL.sub("", text).strip()


def clean_text(raw: str, task: Task) -> str:
    """The submitted text, normalised (NFC, no control or bidirectional-override characters)
    and checked: within the length and word range."""
    text = normalise(raw)
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


def submit_text(
    store: Store, task_id: int, text: str, pastes: int, now: datetime | None = None
) -> None:
    """Store the text as the writer's argument, pending review (once; a task takes one text)."""
    now = now or datetime.now(UTC)
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
            text=normalise(text),
            stop_reason="human",
            status=PENDING,
            quality={"pastes": pastes, "seconds": _seconds(task.claimed_at, now)},
        )
        session.add(argument)
        session.flush()
        task.status = "submitted"
        task.argument_id = argument.id
        task.paste_count = pastes
        task.submitted_at = now
        log_event(session, task.study_id, "writing.submitted", {"task": task.id})


def _seconds(claimed: datetime | None, now: datetime) -> int | None:
    if claimed is None:
        return None
    start = claimed if claimed.tzinfo else claimed.replace(tzinfo=UTC)
    return max(0, int((now - start).total_seconds()))
