"""Survey sessions: start or resume, show a page, save an answer. Every function here commits
its writes before it returns, so the app acknowledges only what is stored.

A participant is identified by a keyed hash of their platform id: arriving again with the same
id resumes the same session (with a fresh cookie token; the old one stops working). The
session's `step` indexes into its page sequence (surveys/pages.py); a form is accepted only for
the current step, inside a transaction that locks the session row, so replays, double clicks
and back-button resubmits cannot change a stored answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from study import FAILED_ATTENTION, Study, attention_failed
from study.store import (
    AssignmentRow,
    AttentionAnswerRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    StudyRow,
    WaveRow,
    add_attention_answer,
    add_before,
    add_participant,
    add_session,
    complete_session,
    current_wave,
    get_study_row,
    log_event,
    record_after,
    record_reading,
    study_config,
)
from surveys.assignment import aware, lock_wave, renew, reserve
from surveys.completion import completion_codes
from surveys.hashing import keyed_hash, new_token, token_hash
from surveys.items import Item, items_of
from surveys.pages import FormError, Step, check_by_key, sequence_for


class SurveyClosed(FormError):
    def __init__(self, message: str) -> None:
        super().__init__("closed", message, 403)


@dataclass(frozen=True)
class View:
    """What the app needs to render a session's current page."""

    session_id: int
    study: Study
    status: str
    step_index: int
    steps: tuple[Step, ...]
    items: tuple[Item, ...]
    completion_code: str
    shown_at: datetime | None

    @property
    def step(self) -> Step:
        return self.steps[min(self.step_index, len(self.steps) - 1)]


@dataclass(frozen=True)
class Started:
    token: str
    session_id: int
    resumed: bool


def start(
    store: Store,
    study_name: str,
    platform_id: str,
    key: bytes,
    platform_session: str = "",
    now: datetime | None = None,
    anonymous: bool = False,
    study_cache: dict[str, Study] | None = None,
) -> Started:
    """Start a session for `platform_id` in the study's open wave, or resume theirs.
    `anonymous` (a link without an id) is refused for platforms that always send one;
    `study_cache` keeps parsed study files by hash (the app's, shared with `load_view`)."""
    now = now or datetime.now(UTC)
    token = new_token()
    with store.session() as session:
        row = get_study_row(session, study_name)
        study = _cached(row, study_cache)
        wave = current_wave(session, row.id)
        if wave is None:
            raise SurveyClosed("This study is not open for participants yet.")
        if anonymous and wave.platform == "prolific":
            raise FormError(
                "missing_participant_id",
                "This link has no participant id; please open the study from Prolific.",
            )
        lock_wave(session, wave.id)
        id_hash = keyed_hash(key, platform_id)
        existing = _existing(session, row.id, id_hash)
        if existing is not None:
            existing.token_hash = token_hash(token)
            return Started(token, existing.id, True)
        if wave.status != "open":
            raise SurveyClosed("This study has closed; thank you for your interest.")
        sess = _new_session(session, wave, id_hash, token, platform_session, now, study)
        if not reserve(session, study, wave, sess, now):
            raise SurveyClosed("All places in this study are taken; thank you for your interest.")
        log_event(session, row.id, "session.started", {"session": sess.id, "wave": wave.number})
        return Started(token, sess.id, False)


def _existing(session: Session, study_id: int, id_hash: str) -> SessionRow | None:
    return session.scalar(
        select(SessionRow)
        .join(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
        .where(ParticipantRow.study_id == study_id, ParticipantRow.platform_id_hash == id_hash)
        .order_by(SessionRow.id.desc())
        .limit(1)
    )


def _new_session(
    session: Session,
    wave: WaveRow,
    id_hash: str,
    token: str,
    platform_session: str,
    now: datetime,
    study: Study,
) -> SessionRow:
    person = add_participant(
        session, wave.study_id, wave.platform, id_hash, wave.platform == "simulated"
    )
    return add_session(
        session,
        person.id,
        wave.id,
        token_hash(token),
        platform_session=platform_session,
        expires_at=now + timedelta(minutes=study.participants.reservation_minutes),
    )


def load_view(store: Store, token: str, study_cache: dict[str, Study] | None = None) -> View:
    """The session behind a cookie token, or FormError(403) for an unknown token (read from a
    snapshot: no write lock is waited for)."""
    with store.snapshot() as session:
        sess = session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash(token)))
        if sess is None:
            raise FormError(
                "no_session",
                "We could not find your session. Please open the study link from the "
                "recruitment platform again.",
                403,
            )
        study = _study_of(session, sess, study_cache)
        items = items_of(session, sess.id, study)
        shown = None
        steps = sequence_for(study, len(items))
        step = steps[min(sess.step, len(steps) - 1)]
        if step.kind == "argument":
            shown = session.scalar(
                select(RatingRow.argument_shown_at).where(
                    RatingRow.assignment_id == items[step.item].assignment_id
                )
            )
        status = sess.status
        if status == "active" and (aware(sess.expires_at) or datetime.now(UTC)) < datetime.now(UTC):
            status = "timed_out"
        return View(
            sess.id,
            study,
            status,
            sess.step,
            steps,
            items,
            sess.completion_code,
            aware(shown),
        )


def _study_of(session: Session, sess: SessionRow, cache: dict[str, Study] | None) -> Study:
    row = session.scalar(
        select(StudyRow)
        .join(WaveRow, WaveRow.study_id == StudyRow.id)
        .where(WaveRow.id == sess.wave_id)
    )
    if row is None:
        raise LookupError(f"session {sess.id} has no study")
    return _cached(row, cache)


def _cached(row: StudyRow, cache: dict[str, Study] | None) -> Study:
    """The study of a row, parsed once per study file (by its hash) when given a cache."""
    if cache is not None and row.config_hash in cache:
        return cache[row.config_hash]
    study = study_config(row)
    if cache is not None:
        cache[row.config_hash] = study
    return study


def mark_shown(store: Store, view: View, now: datetime | None = None) -> datetime:
    """Record when the argument of the current step was first shown (reloads keep the first
    time, so the reading clock cannot be reset)."""
    now = now or datetime.now(UTC)
    item = view.items[view.step.item]
    with store.session() as session:
        rating = session.scalar(
            select(RatingRow).where(RatingRow.assignment_id == item.assignment_id).with_for_update()
        )
        if rating is None:
            raise FormError("no_rating", "Please answer the question before the argument.", 409)
        if rating.argument_shown_at is None:
            rating.argument_shown_at = now
        if item.conversation:  # the conversation starts when its page is first shown
            from surveys.chat import open_conversation

            open_conversation(session, view.session_id, item.assignment_id, item.writer, now)
        return aware(rating.argument_shown_at) or now


def submit(
    store: Store,
    view: View,
    posted_step: int,
    values: dict[str, Any],
    now: datetime | None = None,
) -> int:
    """Save the answer to the session's current step and advance; returns the new step.
    Refuses (FormError) a form for any other step, a closed session or a too-fast reader."""
    now = now or datetime.now(UTC)
    with store.session() as session:
        sess = session.get(SessionRow, view.session_id, with_for_update=True)
        if sess is None:
            raise FormError("no_session", "Your session no longer exists.", 403)
        if sess.status == "timed_out" and sess.step == 0 == posted_step:
            _revive(session, view.study, sess, now)
        check_open(sess, now)
        if posted_step != sess.step:
            raise FormError(
                "stale_page",
                "This page was already answered (answers cannot be changed once saved). "
                "Continue from your current page.",
                409,
            )
        step = view.steps[sess.step]
        _apply(session, sess, view, step, values, now)
        sess.step += 1
        renew(session, view.study, sess, now)
        return sess.step


def _revive(session: Session, study: Study, sess: SessionRow, now: datetime) -> None:
    """A session freed before its first answer (its places went to newer arrivals, or its
    hold ran out) gets places again when its participant does answer, while any are free."""
    if (aware(sess.expires_at) or now) < now:
        return
    wave = lock_wave(session, sess.wave_id)
    if wave.status != "open":
        raise SurveyClosed("This study has closed; thank you for your interest.")
    session.execute(
        delete(AssignmentRow).where(
            AssignmentRow.session_id == sess.id, AssignmentRow.status == "released"
        )
    )
    sess.status = "active"
    session.flush()
    if not reserve(session, study, wave, sess, now):
        raise SurveyClosed("All places in this study are taken; thank you for your interest.")
    log_event(session, wave.study_id, "session.revived", {"session": sess.id})


def touch(store: Store, view: View, now: datetime | None = None) -> bool:
    """The page's heartbeat: renew an active session's held places; False when it is not
    active any more (timed out, returned, finished)."""
    now = now or datetime.now(UTC)
    with store.session() as session:
        sess = session.get(SessionRow, view.session_id, with_for_update=True)
        if sess is None or sess.status != "active" or (aware(sess.expires_at) or now) < now:
            return False
        renew(session, view.study, sess, now)
        return True


def check_open(sess: SessionRow, now: datetime) -> None:
    if sess.status == "active" and (aware(sess.expires_at) or now) < now:
        raise FormError(
            "timed_out", "Your session timed out, so its places were given to others.", 410
        )
    if sess.status not in ("active", "completed"):
        raise FormError("closed", f"This session is {sess.status} and takes no answers.", 410)


def _apply(
    session: Session,
    sess: SessionRow,
    view: View,
    step: Step,
    values: dict[str, Any],
    now: datetime,
) -> None:
    if step.kind in ("before", "argument", "after"):
        _apply_item(session, view, step, values, now)
    elif step.kind == "attention":
        _apply_attention(session, sess, view.study, step, str(values["choice"]))
    elif step.kind == "demographics":
        person = session.get(ParticipantRow, sess.participant_id)
        if person is not None:
            person.demographics = {k: v for k, v in values.items() if v}
    elif step.kind == "debrief":
        completed, failed_attention = completion_codes(view.study)
        excluded = sess.exclusion == FAILED_ATTENTION
        complete_session(sess, now, failed_attention if excluded else completed)
        log_event(session, None, "session.completed", {"session": sess.id})
    elif step.kind == "done":
        raise FormError("finished", "You have finished this study; thank you.", 409)


def _apply_item(
    session: Session, view: View, step: Step, values: dict[str, Any], now: datetime
) -> None:
    item = view.items[step.item]
    rating = session.scalar(select(RatingRow).where(RatingRow.assignment_id == item.assignment_id))
    if step.kind == "before":
        if rating is not None:
            raise FormError("locked", "Your first answer to this claim is saved and locked.", 409)
        add_before(session, item.assignment_id, values["rating"], now)
        return
    if rating is None:
        raise FormError("no_rating", "Please answer the question before the argument.", 409)
    if step.kind == "argument":
        shown = aware(rating.argument_shown_at)
        elapsed = (now - shown).total_seconds() * 1000 if shown else -1
        if item.conversation:  # the chat: after min_turns, or once it ended
            from surveys.chat import finish

            pastes = finish(session, item.assignment_id, view.study.writer(item.writer).limits)
            record_reading(rating, max(0, int(elapsed)), int(values["focus_losses"] or 0), pastes)
            return
        if elapsed < item.min_reading_ms:
            seconds = max(1, round((item.min_reading_ms - max(elapsed, 0)) / 1000))
            raise FormError(
                "too_fast",
                f"Please take the time to read the argument; Continue works in about {seconds} s.",
                400,
            )
        # the reading time is measured by the server: it cannot be forged
        focus, pastes = int(values["focus_losses"] or 0), int(values["pastes"] or 0)
        record_reading(rating, int(elapsed), focus, pastes)
        return
    record_after(session, rating, values["rating"], now)


def _apply_attention(
    session: Session, sess: SessionRow, study: Study, step: Step, choice: str
) -> None:
    check = check_by_key(study, step.check)
    passed = choice == check.answer
    add_attention_answer(session, sess.id, check.key, choice, passed)
    failed = session.scalar(
        select(func.count())
        .select_from(AttentionAnswerRow)
        .where(AttentionAnswerRow.session_id == sess.id, AttentionAnswerRow.passed.is_(False))
    )
    if attention_failed(failed or 0, study.exclusions):
        sess.exclusion = FAILED_ATTENTION
