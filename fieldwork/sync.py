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
    PublishRequest,
    RecruitmentPlatform,
    get_platform,
)
from fieldwork.preflight import REAL, LaunchRefused, argument_blockers
from fieldwork.preregistration import require_preregistration
from fieldwork.reconcile import as_pilot, review_and_reconcile
from fieldwork.reviews import session_checks
from fieldwork.writing_sync import sync_writing
from fieldwork.writing_wave import writing_refs
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

INLINE_ROUNDS = 5  # rounds of an inline panel topping up the ratings exclusions took away


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


def planned_places(store: Store, loaded: LoadedStudy, pilot: int = 0) -> int:
    """The places the next wave asks for: `pilot`, else `recruitment.places`, else the
    participants needed for the kept ratings still missing."""
    study = loaded.study
    needed = ratings_needed(
        completed_ratings(store, loaded.study_id), study.participants.per_argument
    )
    return (
        pilot
        or study.recruitment.places
        or places_for(needed, study.participants.items_per_participant)
    )


def open_fieldwork(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    *,
    pilot: int = 0,
    allow_missing_humans: bool = False,
    without_preregistration: bool = False,
) -> WaveStatus:
    """Open a wave (or keep the open one) unless every argument already has its ratings, then
    plan it (participants needed for the ratings still missing, or `pilot` places for a pilot
    wave whose ratings are kept apart from the analysis), create it on the platform and
    publish it. Each step is recorded, so a run that failed halfway resumes. On a platform
    that shows arguments to people, refuses (LaunchRefused) while an argument to be shown is a
    placeholder, flagged or unreviewed, or a human writer slot is empty (unless
    `allow_missing_humans`, which is recorded for the report). A wave that is not a pilot
    needs a pre-registration on a real platform (`require_preregistration`)."""
    status = wave_status(store, loaded)
    if status.complete and status.status != "open" and not pilot:
        return status
    study = loaded.study
    if status.arguments == 0:
        raise UsageError(
            f"study {study.name!r} has no arguments to field yet; generate them first "
            "(`persuasion run STUDY.toml` generates, fields and analyses)"
        )
    if not pilot:
        require_preregistration(store, loaded, override=without_preregistration)
    missing: list[str] = []
    if study.recruitment.platform in REAL and not status.platform_ref:
        blockers, missing, _ = argument_blockers(store, loaded, allow_missing_humans)
        if blockers:
            raise LaunchRefused("; ".join(blockers))
    with store.session() as session:
        wave = open_wave(
            session, loaded.study_id, study.recruitment.platform, study.participants.per_argument
        )
        wave_id, number, ref = wave.id, wave.number, wave.platform_ref
    if ref and has_event(store, loaded.study_id, "wave.published", number):
        return wave_status(store, loaded)
    places = planned_places(store, loaded, pilot)
    if not ref and places == 0:
        return wave_status(store, loaded)
    platform = platform or platform_for(loaded)
    if not ref:
        ref = _create(store, loaded, platform, wave_id, number, places, pilot)
        if missing:
            _event(store, loaded, "wave.missing_humans", {"wave": number, "slots": missing})
    platform.publish(ref)
    _event(store, loaded, "wave.published", {"wave": number, "ref": ref})
    return wave_status(store, loaded)


def _create(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    wave_id: int,
    number: int,
    places: int,
    pilot: int,
) -> str:
    study = loaded.study
    earlier = earlier_refs(store, loaded.study_id, study.recruitment.platform, number)
    earlier += writing_refs(store, loaded.study_id)  # writers do not rate
    request = publish_request(loaded, places, number, earlier)
    if pilot:
        request = replace(request, places=pilot, internal_name=request.internal_name + " pilot")
        _event(store, loaded, "wave.pilot", {"wave": number, "places": pilot})
    ref = platform.create(request)
    set_platform_ref(store, wave_id, ref)
    _event(store, loaded, "wave.places", {"wave": number, "ref": ref, "places": request.places})
    return ref


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
    platform with submissions the study is reconciled too (`fieldwork.reconcile`), and so are
    the submissions of the study's writing waves (`fieldwork.writing_sync`), first."""
    platform = platform or platform_for(loaded)
    platform.collect_inline(store, loaded.study, loaded.study_id)
    released = release_expired(store, loaded.study_id, now or utcnow())
    study = loaded.study
    writing = sync_writing(store, loaded, platform) if platform.has_submissions else []
    state = load_wave_state(store, loaded.study_id, study)
    problems: list[str] = []
    if state is None:
        return replace(wave_status(store, loaded), released=released, problems=tuple(writing))
    pilot = has_event(store, loaded.study_id, "wave.pilot", state.number)
    if not platform.has_submissions:  # links, simulated: only mark exclusions
        _check_sessions(store, loaded, platform, state, pilot)
    elif state.ref:  # a closed wave's late submissions still need their review
        problems = review_and_reconcile(store, loaded, platform, state, pilot)
    status = wave_status(store, loaded)
    if status.status == "open" and (status.complete or (pilot and _filled(platform, state))):
        status = _close(store, loaded, platform, state.wave_id, state.ref)
    return replace(status, released=released, problems=tuple(writing + problems))


def _check_sessions(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    state: WaveState,
    pilot: bool,
) -> None:
    """Mark the exclusions of finished sessions; a panel that answers inline is asked again
    for the ratings the exclusions took away (a few rounds at most), as a platform recruits
    more people."""
    study = loaded.study
    for _ in range(INLINE_ROUNDS):
        reviews = session_checks(state, study.exclusions)
        for review in reviews:
            review = as_pilot(review) if pilot else review
            record_review(store, loaded.study_id, review.session_id, review.decision)
        if not any(r.decision.exclusion for r in reviews) or wave_status(store, loaded).complete:
            return
        platform.collect_inline(store, study, loaded.study_id)
        state = load_wave_state(store, loaded.study_id, study) or state


def _filled(platform: RecruitmentPlatform, state: WaveState) -> bool:
    """A pilot wave is over when its study is done on the platform."""
    study = platform.state(state.ref) if state.ref else None
    return study is not None and study.done


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


def _event(store: Store, loaded: LoadedStudy, kind: str, payload: dict[str, object]) -> None:
    with store.session() as session:
        log_event(session, loaded.study_id, kind, dict(payload))
