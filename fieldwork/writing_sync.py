"""Reconciling a writing wave's submissions with the researcher's review of the texts, on every
`persuasion field sync`:

- a submission awaiting review whose text was approved is approved (in bulk); one whose text
  was rejected is rejected (category FAILED_INSTRUCTIONS, the researcher's reason in the
  message); one whose text still awaits review is left for a later sync;
- a submission awaiting review with no saved text (the writer sent the completion code
  without writing) is asked to return;
- a writer who returned or was timed out before saving a text gives the task back to the
  pool;
- while the wave is open: a rejected text's slot gets a new task (so every slot can still get a
  reviewed argument), the study gains the places the new tasks need, and a study Prolific
  paused by itself is resumed while tasks wait for writers; once every task has a reviewed text
  the study is stopped (unless it completed by itself) and the wave closed.

Each decision is written to the task (`review`, the writing wave it came through) and to the
event log, so no submission is reviewed twice and pay follows approved texts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from fieldwork.platforms import PlatformError, RecruitmentPlatform, Submission
from study import LoadedStudy
from study.store import ArgumentRow, Store, WritingTaskRow, WritingWaveRow, log_event, utcnow

CATEGORY = "FAILED_INSTRUCTIONS"
RETURN_REASON = "No argument was saved for this submission: please return it."
REJECTION = (
    "Thank you for taking part. Your argument was read by the researchers and not accepted "
    "because it did not follow the writing task's instructions: {reason}. If you think this "
    "is a mistake, please message the researchers through Prolific."
)


@dataclass(frozen=True)
class Written:
    """What the store knows about the task a submission took."""

    task_id: int
    status: str
    review: str
    text_status: str
    reason: str


@dataclass(frozen=True)
class WritingDecision:
    submission: Submission
    task_id: int | None
    action: str  # approve | reject | return | release
    message: str = ""


def decide(sub: Submission, task: Written | None) -> WritingDecision | None:
    """The decision for one writing submission, or None (nothing to do yet)."""
    if task is not None and task.review:
        return None  # decided on an earlier sync
    tid = task.task_id if task else None
    if sub.status == "awaiting_review":
        if task is None or task.status != "submitted":
            if sub.return_requested:
                return None
            return WritingDecision(sub, tid, "return", RETURN_REASON)
        if task.text_status == "ok":
            return WritingDecision(sub, tid, "approve")
        if task.text_status == "rejected":
            reason = task.reason or "the text was not an argument for the claim"
            return WritingDecision(sub, tid, "reject", REJECTION.format(reason=reason))
        return None
    if sub.status in ("returned", "timed_out") and task is not None:
        if task.status == "assigned":
            return WritingDecision(sub, tid, "release")
        if sub.status == "timed_out" and task.status == "submitted":
            return WritingDecision(sub, tid, "timed_out") if task.text_status == "ok" else None
    if sub.status == "approved" and task is not None and task.text_status == "ok":
        return WritingDecision(sub, tid, "approved")  # approved on the platform already
    return None


def sync_writing(store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform) -> list[str]:
    """Reconcile every writing wave on the platform with the texts' review (see the module
    docstring); returns one line per request the platform refused."""
    problems: list[str] = []
    for wave_id, ref, is_open in _waves(store, loaded.study_id):
        subs = platform.submissions(ref)
        tasks = _tasks(store, loaded.study_id, [s.id for s in subs])
        decisions = [d for d in (decide(s, tasks.get(s.id)) for s in subs) if d is not None]
        problems += _apply(store, loaded, platform, wave_id, decisions)
        if is_open:
            problems += _keep_recruiting(store, loaded, platform, wave_id, ref)
        if is_open and not problems and writing_done(store, loaded.study_id):
            problems += _close(store, loaded, platform, wave_id, ref)
    return problems


def writing_done(store: Store, study_id: int) -> bool:
    """Every writing task has a text and every text is reviewed: no writer is needed."""
    with store.session() as session:
        waiting = session.scalar(
            select(func.count()).where(
                WritingTaskRow.study_id == study_id,
                WritingTaskRow.status.in_(("open", "assigned")),
            )
        )
        pending = session.scalar(
            select(func.count())
            .select_from(WritingTaskRow)
            .join(ArgumentRow, ArgumentRow.id == WritingTaskRow.argument_id)
            .where(WritingTaskRow.study_id == study_id, ArgumentRow.status == "pending_review")
        )
    return not waiting and not pending


def _close(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, wave_id: int, ref: str
) -> list[str]:
    """Stop the writing study (a study that completed by itself is left as it is) and close
    the wave; its submissions are still reconciled by later syncs."""
    try:
        platform.close(ref)
    except PlatformError as exc:
        return [f"stopping the writing study {ref}: {exc}"]
    with store.session() as session:
        wave = session.get_one(WritingWaveRow, wave_id)
        wave.status, wave.closed_at = "closed", utcnow()
        log_event(session, loaded.study_id, "writing.closed", {"wave": wave.number})
    return []


def _waves(store: Store, study_id: int) -> list[tuple[int, str, bool]]:
    with store.session() as session:
        rows = session.execute(
            select(WritingWaveRow.id, WritingWaveRow.platform_ref, WritingWaveRow.status)
            .where(WritingWaveRow.study_id == study_id, WritingWaveRow.platform_ref != "")
            .order_by(WritingWaveRow.number)
        ).all()
    return [(wid, ref, status == "open") for wid, ref, status in rows]


def _tasks(store: Store, study_id: int, submission_ids: list[str]) -> dict[str, Written]:
    if not submission_ids:
        return {}
    with store.session() as session:
        rows = session.execute(
            select(WritingTaskRow, ArgumentRow.status, ArgumentRow.quality)
            .outerjoin(ArgumentRow, ArgumentRow.id == WritingTaskRow.argument_id)
            .where(
                WritingTaskRow.study_id == study_id,
                WritingTaskRow.platform_session.in_(submission_ids),
            )
        ).all()
        return {
            task.platform_session: Written(
                task.id,
                task.status,
                task.review,
                status or "",
                str(((quality or {}).get("review") or {}).get("reason", "")),
            )
            for task, status, quality in rows
        }


def _apply(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    wave_id: int,
    decisions: list[WritingDecision],
) -> list[str]:
    problems: list[str] = []
    approvals = [d for d in decisions if d.action == "approve"]
    if approvals:
        try:
            platform.approve_many([d.submission for d in approvals])
        except (PlatformError, ValueError) as exc:
            problems.append(f"approving {len(approvals)} writing submissions: {exc}")
            approvals = []
    done = list(approvals)
    for d in decisions:
        try:
            if d.action == "reject":
                platform.reject(d.submission, d.message, CATEGORY)
            elif d.action == "return":
                platform.request_return(d.submission, [d.message])
            elif d.action == "approve":
                continue
        except (PlatformError, ValueError) as exc:
            problems.append(f"writing submission {d.submission.id}: {exc}")
            continue
        done.append(d)
    _record(store, loaded.study_id, wave_id, done)
    return problems


REVIEWS = {
    "approve": "approved",
    "approved": "approved",
    "reject": "rejected",
    "timed_out": "timed_out",
    "release": "",
}


def _record(store: Store, study_id: int, wave_id: int, done: list[WritingDecision]) -> None:
    with store.session() as session:
        for d in done:
            task = session.get(WritingTaskRow, d.task_id) if d.task_id is not None else None
            if task is not None and d.action == "release" and task.status == "assigned":
                task.status, task.participant_id, task.claimed_at = "open", None, None
                task.platform_session = ""
            elif task is not None and d.action in REVIEWS:
                task.review, task.writing_wave_id = REVIEWS[d.action], wave_id
            log_event(
                session,
                study_id,
                f"writing.review.{d.action}",
                {"task": d.task_id, "submission": d.submission.id},
            )


def _keep_recruiting(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, wave_id: int, ref: str
) -> list[str]:
    """New tasks for rejected texts' slots, the places they need, and START on a study the
    platform paused while tasks still wait for writers."""
    added = replace_rejected(store, loaded)
    waiting = _open_count(store, loaded.study_id)
    problems: list[str] = []
    if added:
        with store.session() as session:
            wave = session.get_one(WritingWaveRow, wave_id)
            total = wave.places + added
        try:
            platform.add_places(ref, total)
        except PlatformError as exc:
            return [f"adding {added} places to the writing study {ref}: {exc}"]
        with store.session() as session:
            session.get_one(WritingWaveRow, wave_id).places = total
            log_event(session, loaded.study_id, "writing.places", {"ref": ref, "places": total})
    state = platform.state(ref)
    if state is not None and state.paused and waiting:
        try:
            platform.resume(ref)
        except PlatformError as exc:
            problems.append(f"resuming the paused writing study {ref}: {exc}")
    return problems


def replace_rejected(store: Store, loaded: LoadedStudy) -> int:
    """A new open task (the next slot number) for each rejected text whose claim and writer
    have fewer approved or pending texts, tasks waiting or tasks taken than the writer's
    `per_claim`; returns how many were created."""
    sid = loaded.study_id
    with store.session() as session:
        tasks = session.execute(
            select(WritingTaskRow, ArgumentRow.status)
            .outerjoin(ArgumentRow, ArgumentRow.id == WritingTaskRow.argument_id)
            .where(WritingTaskRow.study_id == sid)
        ).all()
        live: dict[tuple[int, str], int] = {}
        slots: dict[tuple[int, str], int] = {}
        template: dict[tuple[int, str], WritingTaskRow] = {}
        for task, status in tasks:
            key = (task.claim_id, task.writer)
            slots[key] = max(slots.get(key, 0), task.slot)
            template.setdefault(key, task)
            if status != "rejected":
                live[key] = live.get(key, 0) + 1
        added = 0
        for key, first in template.items():
            need = loaded.study.writer(first.writer).per_claim - live.get(key, 0)
            for _ in range(max(0, need)):
                slots[key] += 1
                session.add(_copy(first, slots[key]))
                added += 1
        if added:
            log_event(session, sid, "writing.replaced", {"tasks": added})
    return added


def _copy(task: WritingTaskRow, slot: int) -> WritingTaskRow:
    return WritingTaskRow(
        study_id=task.study_id,
        claim_id=task.claim_id,
        writer=task.writer,
        slot=slot,
        instructions=task.instructions,
        words_min=task.words_min,
        words_max=task.words_max,
        bonus=task.bonus,
    )


def _open_count(store: Store, study_id: int) -> int:
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    WritingTaskRow.study_id == study_id, WritingTaskRow.status == "open"
                )
            )
            or 0
        )
