"""Fieldwork as plain functions: open a wave (plan, create and publish it on the recruitment
platform), sync it (collect answers, release expired reservations, apply the quality rules to
every submission, close the wave when its quota is met), report its progress, close it. Flows
and the `persuasion field` commands call these; each reads the store and is safe to run again.

The quota: every argument of the study has at least `participants.per_argument` completed
ratings (ratings of earlier waves count, so a new generation round fields only what is new).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select

from common import UsageError
from fieldwork.field_store import (
    WaveState,
    completed_counts,
    has_event,
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
from fieldwork.quality import Decision
from fieldwork.reviews import Review, places_to_add, session_checks, submission_reviews
from study import LoadedStudy
from study.store import (
    ArgumentRow,
    AssignmentRow,
    RatingRow,
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


def completed_ratings(store: Store, study_id: int) -> dict[int, int]:
    """Completed ratings (an after-rating exists) per argument id, across all waves."""
    with store.session() as session:
        return completed_counts(session, study_id)


def wave_status(store: Store, loaded: LoadedStudy) -> WaveStatus:
    target = loaded.study.participants.per_argument
    counts = completed_ratings(store, loaded.study_id)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        rows = session.execute(
            select(ArgumentRow.writer, func.count(RatingRow.id))
            .join(AssignmentRow, AssignmentRow.argument_id == ArgumentRow.id)
            .join(RatingRow, RatingRow.assignment_id == AssignmentRow.id)
            .where(ArgumentRow.study_id == loaded.study_id, RatingRow.after.is_not(None))
            .group_by(ArgumentRow.writer)
        ).all()
        writers = {writer: int(n) for writer, n in rows}
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


def publish_request(loaded: LoadedStudy, places: int, wave: int) -> PublishRequest:
    """What the platform is asked to recruit for one wave of the study."""
    study = loaded.study
    rec = study.recruitment
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
        reward_pence=round(rec.reward_gbp * 100),
        estimated_minutes=rec.estimated_minutes,
        completion_code=completed,
        failed_attention_code=failed_attention,
    )


def open_fieldwork(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform | None = None
) -> WaveStatus:
    """Open a wave (or keep the open one) unless every argument already has its ratings, then
    plan it (participants needed for the ratings still missing), create it on the platform
    and publish it. Each step is recorded, so a run that failed halfway resumes."""
    status = wave_status(store, loaded)
    if status.complete and status.status != "open":
        return status
    study = loaded.study
    if status.arguments == 0:
        raise UsageError(
            f"study {study.name!r} has no arguments to field yet; generate them first "
            "(`persuasion run STUDY.toml` generates, fields and analyses)"
        )
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
        request = publish_request(loaded, places, number)
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
    decided from it by pure functions, then written to the platform and the store."""
    platform = platform or platform_for(loaded)
    platform.collect_inline(store, loaded.study, loaded.study_id)
    released = release_expired(store, loaded.study_id, now or utcnow())
    study = loaded.study
    state = load_wave_state(store, loaded.study_id, study.participants.words_per_minute)
    problems: list[str] = []
    if state is None:
        return replace(wave_status(store, loaded), released=released)
    if not platform.has_submissions:  # links, simulated: only mark exclusions
        for review in session_checks(state, study.exclusions):
            record_review(store, loaded.study_id, review.session_id, review.decision)
    elif state.ref:  # a closed wave's late submissions still need their review
        submissions = platform.submissions(state.ref)
        reviews = submission_reviews(state, submissions, study.exclusions)
        problems, submissions = _apply_reviews(store, loaded, platform, submissions, reviews)
        if state.status == "open":
            problems += _add_places(store, loaded, platform, state, submissions)
    status = wave_status(store, loaded)
    if status.complete and status.status == "open":
        status = _close(store, loaded, platform, state.wave_id, state.ref)
    return replace(status, released=released, problems=tuple(problems))


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
