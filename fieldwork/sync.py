"""Fieldwork as plain functions: open a wave (plan, create and publish it on the recruitment
platform), sync it (collect answers, release expired reservations, apply the quality rules to
every submission, close the wave when its quota is met), report its progress, close it. Flows
and the `persuasion field` commands call these; each reads the store and is safe to run again.

The quota: every argument of the study has at least `participants.per_argument` kept
ratings: completed ratings of sessions the quality rules did not exclude (ratings of earlier
waves count, so a new generation round fields only what is new). An excluded session's items
go back to the pool, so every argument ends with ratings the analysis can use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from common import UsageError
from fieldwork.field_store import (
    WaveState,
    completed_counts,
    earlier_refs,
    has_event,
    kept_by_writer,
    load_wave_state,
    places_for,
    ratings_needed,
    record_review,
    session_counts,
    set_platform_ref,
)
from fieldwork.platforms import (
    PlatformError,
    PublishRequest,
    RecruitmentPlatform,
    Submission,
    SubmissionStatus,
    get_platform,
)
from fieldwork.preregistration import require_preregistration
from fieldwork.quality import Decision
from fieldwork.reviews import Review, places_to_add, session_checks, submission_reviews
from study import LoadedStudy, filter_payload
from study.store import (
    Store,
    WaveRow,
    close_wave,
    current_wave,
    log_event,
    open_wave,
    utcnow,
)
from surveys import completion_codes
from surveys import release_expired as release_assignments

# What a submission's status becomes on the platform once a decision is sent.
DECIDED_STATUS: dict[str, SubmissionStatus] = {"approve": "approved", "reject": "rejected"}


@dataclass(frozen=True)
class WaveStatus:
    """Where a study's fieldwork stands."""

    study: str
    wave: int
    status: str
    platform: str
    target: int
    arguments: int
    arguments_done: int
    ratings: int
    ratings_by_writer: dict[str, int] = field(default_factory=dict)
    platform_ref: str = ""
    sessions: dict[str, int] = field(default_factory=dict)
    released: int = 0
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.arguments > 0 and self.arguments_done == self.arguments

    @property
    def progress(self) -> float:
        """Percent of arguments at their target number of ratings."""
        return 100.0 * self.arguments_done / self.arguments if self.arguments else 0.0


def completed_ratings(
    store: Store, study_id: int, dropping: frozenset[int] = frozenset()
) -> dict[int, int]:
    """Kept ratings per argument id, across all waves (`dropping`: sessions about to be
    excluded)."""
    with store.session() as session:
        return completed_counts(session, study_id, dropping)


def wave_status(store: Store, loaded: LoadedStudy) -> WaveStatus:
    target = loaded.study.participants.per_argument
    counts = completed_ratings(store, loaded.study_id)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        writers = kept_by_writer(session, loaded.study_id)
        number, status = (wave.number, wave.status) if wave else (0, "none")
        ref, wave_id = (wave.platform_ref, wave.id) if wave else ("", None)
    return WaveStatus(
        loaded.study.name,
        number,
        status,
        loaded.study.recruitment.platform,
        target,
        len(counts),
        sum(n >= target for n in counts.values()),
        sum(counts.values()),
        writers,
        ref,
        session_counts(store, wave_id) if wave_id is not None else {},
    )


def release_expired(store: Store, study_id: int, now: datetime) -> int:
    """Give back items whose reservation expired: assignments `reserved` with `reserved_until`
    before `now` become `released`, and their sessions (if still active) `timed_out`.
    Returns the number of assignments released."""
    return release_assignments(store, now, study_id)


def platform_for(loaded: LoadedStudy) -> RecruitmentPlatform:
    """The study's recruitment platform, set up from its study file and the environment."""
    recruitment = loaded.study.recruitment
    return get_platform(recruitment.platform, recruitment)


def publish_request(
    loaded: LoadedStudy, places: int, wave: int, earlier: tuple[str, ...] = ()
) -> PublishRequest:
    """What the platform is asked to recruit for one wave of the study. `earlier` are the
    platform references of the study's earlier waves, whose participants are kept out (unless
    `recruitment.filters.block_earlier_waves = false`)."""
    study = loaded.study
    rec = study.recruitment
    blocked = earlier if rec.filters.block_earlier_waves else ()
    completed, failed_attention = completion_codes(study)
    description = rec.description or (
        f"Read {study.participants.items_per_participant} short arguments and say how much you "
        "support a claim before and after each. The study includes attention checks that ask "
        "you to choose a stated answer; submissions failing two of them are rejected."
    )
    return PublishRequest(
        name=rec.title or f"Opinions on current issues ({study.name})",
        internal_name=f"{study.name} wave {wave}",
        description=description,
        survey_url=rec.survey_url,
        places=rec.places or places,
        reward=rec.reward_minor,
        estimated_minutes=rec.estimated_minutes,
        completion_code=completed,
        failed_attention_code=failed_attention,
        currency=rec.currency,
        maximum_allowed_minutes=study.participants.reservation_minutes,
        filters=tuple(filter_payload(rec.filters, blocked)),
        auto_approve=rec.auto_approve,
    )


def open_fieldwork(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    without_preregistration: bool = False,
) -> WaveStatus:
    """Open a wave (or keep the open one) unless every argument already has its ratings, then
    plan it (participants needed for the ratings still missing), create it on the platform
    and publish it. Each step is recorded, so a run that failed halfway resumes. The first
    wave on a real platform needs a pre-registration (`require_preregistration`)."""
    status = wave_status(store, loaded)
    if status.complete and status.status != "open":
        return status
    study = loaded.study
    if status.arguments == 0:
        raise UsageError(
            f"study {study.name!r} has no arguments to field yet; generate them first "
            "(`persuasion run STUDY.toml` generates, fields and analyses)"
        )
    require_preregistration(store, loaded, override=without_preregistration)
    with store.session() as session:
        wave = open_wave(
            session, loaded.study_id, study.recruitment.platform, study.participants.per_argument
        )
        wave_id, number, ref = wave.id, wave.number, wave.platform_ref
    if ref and has_event(store, loaded.study_id, "wave.published", number):
        return wave_status(store, loaded)
    needed = ratings_needed(completed_ratings(store, loaded.study_id), status.target)
    places = places_for(needed, study.participants.items_per_participant)
    if not ref and places == 0 and not study.recruitment.places:
        return wave_status(store, loaded)
    platform = platform or platform_for(loaded)
    if not ref:
        earlier = earlier_refs(store, loaded.study_id, study.recruitment.platform, number)
        request = publish_request(loaded, places, number, earlier)
        ref = platform.create(request)
        set_platform_ref(store, wave_id, ref)
        _event(store, loaded, "wave.places", {"wave": number, "ref": ref, "places": places})
    platform.publish(ref)
    _event(store, loaded, "wave.published", {"wave": number, "ref": ref})
    return wave_status(store, loaded)


def sync_fieldwork(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    now: datetime | None = None,
) -> WaveStatus:
    """One sync: collect answers (the simulated panel answers inline), release expired
    reservations, review every submission by the study's quality rules (approve, reject or ask
    to return on the platform; mark exclusions in the store), then close the wave when its
    quota is met. Returns the status after the sync, with any per-submission problems.

    The wave's state is read once (`load_wave_state`); the reviews and the places to add are
    decided from it by pure functions, then written to the platform and the store. On a
    platform with submissions the study is reconciled too (`_review_and_reconcile`)."""
    platform = platform or platform_for(loaded)
    platform.collect_inline(store, loaded.study, loaded.study_id)
    released = release_expired(store, loaded.study_id, now or utcnow())
    study = loaded.study
    state = load_wave_state(store, loaded.study_id, study)
    problems: list[str] = []
    if state is None:
        return replace(wave_status(store, loaded), released=released)
    if not platform.has_submissions:  # links, simulated: only mark exclusions
        for review in session_checks(state, study.exclusions):
            record_review(store, loaded.study_id, review.session_id, review.decision)
    elif state.ref:  # a closed wave's late submissions still need their review
        problems = _review_and_reconcile(store, loaded, platform, state)
    status = wave_status(store, loaded)
    if status.complete and status.status == "open":
        status = _close(store, loaded, platform, state.wave_id, state.ref)
    return replace(status, released=released, problems=tuple(problems))


def _review_and_reconcile(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, state: WaveState
) -> list[str]:
    """Rejections and return requests first, then the places the quota still needs (counting
    only the ratings that will be kept), then the approvals in bulk, so a study whose places
    are all approved never completes on the platform while ratings are missing; then the
    study's own status (resume it if the platform paused it)."""
    submissions = platform.submissions(state.ref)
    reviews = submission_reviews(state, submissions, loaded.study.exclusions)
    approvals = [r for r in reviews if r.decision.action == "approve"]
    others = [r for r in reviews if r.decision.action != "approve"]
    problems, submissions = _apply_reviews(store, loaded, platform, submissions, others)
    if state.status == "open":
        dropping = frozenset(
            r.session_id for r in approvals if r.session_id is not None and r.decision.exclusion
        )
        now = replace(state, counts=completed_ratings(store, loaded.study_id, dropping))
        problems += _add_places(store, loaded, platform, now, submissions)
    problems += _approve_all(store, loaded, platform, approvals)
    if state.status == "open":
        problems += reconcile_study(store, loaded, platform, state)
    return problems


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
    short = sum(n < target for n in completed_ratings(store, loaded.study_id).values())
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


def close_fieldwork(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    force: bool = False,
) -> WaveStatus:
    """Close the open wave (and stop recruiting on the platform). Refuses while the quota is
    not met unless `force`."""
    status = wave_status(store, loaded)
    name = loaded.study.name
    if status.status != "open":
        raise UsageError(
            f"study {name!r} has no open wave to close (last wave: {status.wave or 'none'}, "
            f"{status.status}); open one with `persuasion field open {name}`"
        )
    if not status.complete and not force:
        raise UsageError(
            f"wave {status.wave} of study {name!r} is not complete: {status.arguments_done} of "
            f"{status.arguments} arguments have {status.target} ratings; keep syncing "
            f"(`persuasion field sync {name}`) or close it anyway with --force"
        )
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        wave_id, ref = (wave.id, wave.platform_ref) if wave is not None else (0, "")
    return _close(store, loaded, platform or platform_for(loaded), wave_id, ref)


def _close(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, wave_id: int, ref: str
) -> WaveStatus:
    if ref and platform.has_submissions:
        platform.close(ref)
    with store.session() as session:
        wave = session.get(WaveRow, wave_id)
        if wave is not None and wave.status == "open":
            close_wave(session, wave)
    return wave_status(store, loaded)


def _apply(platform: RecruitmentPlatform, sub: Submission, decision: Decision) -> None:
    if decision.action == "approve":
        platform.approve(sub)
    elif decision.action == "reject":
        platform.reject(sub, decision.message, decision.category)
    elif decision.action == "return":
        platform.request_return(sub, [decision.message])


def _event(store: Store, loaded: LoadedStudy, kind: str, payload: dict[str, object]) -> None:
    with store.session() as session:
        log_event(session, loaded.study_id, kind, dict(payload))
