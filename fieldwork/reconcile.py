"""Reviewing a wave's submissions on its platform and reconciling the platform's study with the
wave, for `fieldwork.sync` on every sync of a platform with submissions: rejections and return
requests one by one, then the places the quota still needs (counting only the ratings that will
be kept), then the approvals in bulk, so a study whose places are all approved never completes
on the platform while ratings are missing; then the study's own status (a study the platform
paused by itself is resumed while ratings are missing).
"""

from __future__ import annotations

from dataclasses import replace

from fieldwork.field_store import WaveState, completed_counts, record_review
from fieldwork.platforms import PlatformError, RecruitmentPlatform, Submission, SubmissionStatus
from fieldwork.quality import Decision
from fieldwork.reviews import Review, places_to_add, submission_reviews
from study import LoadedStudy
from study.store import Store, log_event

PILOT = "pilot"  # the exclusion of a pilot wave's ratings

# What a submission's status becomes on the platform once a decision is sent.
DECIDED_STATUS: dict[str, SubmissionStatus] = {"approve": "approved", "reject": "rejected"}


def review_and_reconcile(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    state: WaveState,
    pilot: bool = False,
) -> list[str]:
    """Rejections and return requests first, then the places the quota still needs (counting
    only the ratings that will be kept), then the approvals in bulk, so a study whose places
    are all approved never completes on the platform while ratings are missing; then the
    study's own status (resume it if the platform paused it). A pilot wave's ratings are all
    kept apart (`pilot`) and its places stay as they are."""
    submissions = platform.submissions(state.ref)
    reviews = submission_reviews(state, submissions, loaded.study.exclusions)
    if pilot:
        reviews = [as_pilot(r) for r in reviews]
    approvals = [r for r in reviews if r.decision.action == "approve"]
    others = [r for r in reviews if r.decision.action != "approve"]
    problems, submissions = _apply_reviews(store, loaded, platform, submissions, others)
    if state.status == "open" and not pilot:
        dropping = frozenset(
            r.session_id for r in approvals if r.session_id is not None and r.decision.exclusion
        )
        now = replace(state, counts=kept_ratings(store, loaded.study_id, dropping))
        problems += _add_places(store, loaded, platform, now, submissions)
    problems += _approve_all(store, loaded, platform, approvals)
    if state.status == "open":
        problems += reconcile_study(store, loaded, platform, state)
    return problems


def as_pilot(review: Review) -> Review:
    """A pilot wave's review: paid as usual, its ratings kept apart from the analysis and the
    quota (exclusion `pilot` unless the rules already exclude them)."""
    decision = review.decision
    if not decision.review or decision.exclusion:
        return review
    return replace(review, decision=replace(decision, exclusion=PILOT))


def _approve_all(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, approvals: list[Review]
) -> list[str]:
    subs = [r.submission for r in approvals if r.submission is not None]
    if not subs:
        return []
    try:
        platform.approve_many(subs)
    except (PlatformError, ValueError) as exc:
        return [f"approving {len(subs)} submissions: {exc}"]
    for review in approvals:
        record_review(store, loaded.study_id, review.session_id, review.decision)
    return []


def reconcile_study(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, state: WaveState
) -> list[str]:
    """Read the study's status on the platform: resume a study the platform paused by itself
    (a full study lost a submission to a rejection or a return) while ratings are missing; say
    so when it completed by itself with ratings missing."""
    study = platform.state(state.ref)
    target = loaded.study.participants.per_argument
    short = sum(n < target for n in kept_ratings(store, loaded.study_id).values())
    if study is None or short == 0:
        return []
    if study.paused:
        try:
            platform.resume(state.ref)
        except PlatformError as exc:
            return [f"resuming the paused study: {exc}"]
        _event(store, loaded, "wave.resumed", {"wave": state.number, "ref": state.ref})
    elif study.status == "COMPLETED":
        return [
            f"the study {state.ref} completed on the platform with {short} arguments short of "
            f"{target} ratings; close this wave with `persuasion field close "
            f"{loaded.study.name} --force` and open another"
        ]
    return []


def _apply_reviews(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    submissions: list[Submission],
    reviews: list[Review],
) -> tuple[list[str], list[Submission]]:
    """Send each decision to the platform and record it; returns one line per submission the
    platform refused, and the submissions with the statuses the decisions gave them."""
    problems = []
    after = {sub.id: sub for sub in submissions}
    for review in reviews:
        sub = review.submission
        if sub is None:
            continue
        try:
            _apply(platform, sub, review.decision)
        except (PlatformError, ValueError) as exc:
            problems.append(f"submission {sub.id}: {exc}")
            continue
        record_review(store, loaded.study_id, review.session_id, review.decision)
        if review.decision.action in DECIDED_STATUS:
            after[sub.id] = replace(sub, status=DECIDED_STATUS[review.decision.action])
    return problems, list(after.values())


def _add_places(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    state: WaveState,
    submissions: list[Submission],
) -> list[str]:
    """Top up the wave's places (never when the study file fixes `recruitment.places`)."""
    if loaded.study.recruitment.places:
        return []
    extra = places_to_add(state, submissions, loaded.study.participants)
    if extra == 0:
        return []
    try:
        platform.add_places(state.ref, state.places + extra)
    except PlatformError as exc:
        return [f"adding places: {exc}"]
    payload = {"wave": state.number, "ref": state.ref, "places": state.places + extra}
    _event(store, loaded, "wave.places", payload)
    return []


def _apply(platform: RecruitmentPlatform, sub: Submission, decision: Decision) -> None:
    if decision.action == "approve":
        platform.approve(sub)
    elif decision.action == "reject":
        platform.reject(sub, decision.message, decision.category)
    elif decision.action == "return":
        platform.request_return(sub, [decision.message])


def kept_ratings(
    store: Store, study_id: int, dropping: frozenset[int] = frozenset()
) -> dict[int, int]:
    with store.session() as session:
        return completed_counts(session, study_id, dropping)


def _event(store: Store, loaded: LoadedStudy, kind: str, payload: dict[str, object]) -> None:
    with store.session() as session:
        log_event(session, loaded.study_id, kind, dict(payload))
