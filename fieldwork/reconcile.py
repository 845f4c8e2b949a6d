"""Reviewing a wave's submissions on its platform and reconciling the platform's study with the
wave: the quality rules' decisions sent (rejections and returns one by one, approvals in bulk),
places added while the quota needs them, a study the platform paused by itself resumed.
`fieldwork.sync` calls these on every sync of a platform with submissions.
"""

from __future__ import annotations

from fieldwork.field_store import (
    PLACE_TAKING,
    REVIEWED,
    completed_ratings,
    places_for,
    ratings_needed,
    record_review,
    session_facts,
    wave_places,
)
from fieldwork.platforms import PlatformError, RecruitmentPlatform, Submission
from fieldwork.quality import Decision, decide
from study.loading import LoadedStudy
from study.store import Store
from study.store.repo import current_wave, log_event


def review_submissions(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    wave_id: int,
    ref: str,
    top_up_first: bool = False,
) -> list[str]:
    """Apply the quality rules to every submission of the wave on the platform: rejections and
    return requests one by one, then (`top_up_first`) add the places the quota still needs,
    then approvals in bulk (so a study whose places are all approved never completes on the
    platform while ratings are missing). Returns one line per request the platform refused
    (the others are done and recorded; refused ones are tried again next sync)."""
    facts = session_facts(store, wave_id, loaded.study.participants.words_per_minute)
    by_submission = {ps: (sid, review, f) for sid, (ps, review, f) in facts.items() if ps}
    problems = []
    approvals: list[tuple[Submission, int | None, Decision]] = []
    for sub in platform.submissions(ref):
        sid, review, fact = by_submission.get(sub.id, (None, "", None))
        if review in REVIEWED:
            continue
        decision = decide(sub.status, fact, loaded.study.exclusions)
        if decision.review in ("", review) or (
            decision.action == "return" and sub.return_requested
        ):
            continue
        if decision.action == "approve":
            approvals.append((sub, sid, decision))
            continue
        try:
            _apply(platform, sub, decision)
        except (PlatformError, ValueError) as exc:
            problems.append(f"submission {sub.id}: {exc}")
            continue
        record_review(store, loaded.study_id, sid, decision)
    if top_up_first:
        dropping = frozenset(sid for _, sid, d in approvals if sid is not None and d.exclusion)
        problems += top_up(store, loaded, platform, ref, dropping)
    return problems + _approve_all(store, loaded, platform, approvals)


def _approve_all(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    approvals: list[tuple[Submission, int | None, Decision]],
) -> list[str]:
    if not approvals:
        return []
    try:
        platform.approve_many([sub for sub, _, _ in approvals])
    except (PlatformError, ValueError) as exc:
        return [f"approving {len(approvals)} submissions: {exc}"]
    for _, sid, decision in approvals:
        record_review(store, loaded.study_id, sid, decision)
    return []


def reconcile(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, ref: str
) -> list[str]:
    """Bring the platform's study in line with the wave: add places the quota still needs,
    resume a study the platform paused by itself (after a rejection or a return) while
    ratings are missing, and say so when it completed by itself with ratings missing."""
    problems = top_up(store, loaded, platform, ref)  # the approvals may have freed places
    state = platform.state(ref)
    target = loaded.study.participants.per_argument
    short = sum(n < target for n in completed_ratings(store, loaded.study_id).values())
    if state is None or short == 0:
        return problems
    if state.paused:
        try:
            platform.resume(ref)
        except PlatformError as exc:
            return [*problems, f"resuming the paused study: {exc}"]
        _event(store, loaded, "wave.resumed", {"wave": _wave_number(store, loaded), "ref": ref})
    elif state.status == "COMPLETED":
        problems.append(
            f"the study {ref} completed on the platform with {short} arguments short of "
            f"{target} ratings; close this wave with `persuasion field close "
            f"{loaded.study.name} --force` and open another"
        )
    return problems


def top_up(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    ref: str,
    dropping: frozenset[int] = frozenset(),
) -> list[str]:
    """Add places on the platform when the participants still needed outnumber the free places
    and the people still taking part (rejected, returned and timed-out submissions free their
    places by themselves). `dropping` are sessions about to be excluded. Never when the study
    file fixes `recruitment.places`."""
    study = loaded.study
    if study.recruitment.places:
        return []
    number = _wave_number(store, loaded)
    total = wave_places(store, loaded.study_id, number)
    subs = platform.submissions(ref)
    taking = sum(s.status in PLACE_TAKING for s in subs)
    in_progress = sum(s.status in ("reserved", "active") for s in subs)
    needed = places_for(
        ratings_needed(
            completed_ratings(store, loaded.study_id, dropping), study.participants.per_argument
        ),
        study.participants.items_per_participant,
    )
    shortfall = needed - in_progress - max(0, total - taking)
    if total == 0 or shortfall <= 0:
        return []
    try:
        platform.add_places(ref, total + shortfall)
    except PlatformError as exc:
        return [f"adding places: {exc}"]
    _event(store, loaded, "wave.places", {"wave": number, "ref": ref, "places": total + shortfall})
    return []


def _apply(platform: RecruitmentPlatform, sub: Submission, decision: Decision) -> None:
    if decision.action == "approve":
        platform.approve(sub)
    elif decision.action == "reject":
        platform.reject(sub, decision.message, decision.category)
    elif decision.action == "return":
        platform.request_return(sub, [decision.message])


def _wave_number(store: Store, loaded: LoadedStudy) -> int:
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        return wave.number if wave is not None else 0


def _event(store: Store, loaded: LoadedStudy, kind: str, payload: dict[str, object]) -> None:
    with store.session() as session:
        log_event(session, loaded.study_id, kind, dict(payload))
