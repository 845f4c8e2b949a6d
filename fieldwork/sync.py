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

from fieldwork.field_store import (
    completed_ratings,
    earlier_refs,
    has_event,
    kept_by_writer,
    places_for,
    ratings_needed,
    record_review,
    session_counts,
    session_facts,
    set_platform_ref,
)
from fieldwork.platforms import PublishRequest, RecruitmentPlatform, get_platform
from fieldwork.quality import decide
from fieldwork.reconcile import reconcile, review_submissions
from study.config_recruitment import filter_payload
from study.loading import LoadedStudy
from study.store import Store
from study.store.models import utcnow
from study.store.repo import close_wave, current_wave, log_event, open_wave
from surveys import completion_codes
from surveys.assignment import release_expired as release_assignments


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


def wave_status(store: Store, loaded: LoadedStudy) -> WaveStatus:
    target = loaded.study.participants.per_argument
    counts = completed_ratings(store, loaded.study_id)
    writers = kept_by_writer(store, loaded.study_id)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
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
        raise ValueError(
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
        request = publish_request(
            loaded,
            places,
            number,
            earlier_refs(store, loaded.study_id, study.recruitment.platform, number),
        )
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
    quota is met. Returns the status after the sync, with any per-submission problems."""
    platform = platform or platform_for(loaded)
    platform.collect_inline(store, loaded.study, loaded.study_id)
    released = release_expired(store, loaded.study_id, now or utcnow())
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        current = (wave.id, wave.platform_ref, wave.status) if wave else None
    problems: list[str] = []
    if current is not None:  # a closed wave's late submissions still need their review
        if platform.has_submissions:
            if current[1]:
                is_open = current[2] == "open"
                problems = review_submissions(
                    store, loaded, platform, current[0], current[1], top_up_first=is_open
                )
                if current[2] == "open":
                    problems += reconcile(store, loaded, platform, current[1])
        else:
            check_sessions(store, loaded, current[0])
    status = wave_status(store, loaded)
    if status.complete and status.status == "open":
        status = _close(store, loaded, platform)
    return replace(status, released=released, problems=tuple(problems))


def check_sessions(store: Store, loaded: LoadedStudy, wave_id: int) -> int:
    """Platforms without submissions (links, simulated): mark exclusions of finished
    sessions. Returns how many sessions were checked."""
    facts = session_facts(store, wave_id, loaded.study.participants.words_per_minute)
    checked = 0
    for sid, (_, review, fact) in facts.items():
        if review or fact.status not in ("completed", "timed_out"):
            continue
        record_review(store, loaded.study_id, sid, decide(None, fact, loaded.study.exclusions))
        checked += 1
    return checked


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
        raise ValueError(
            f"study {name!r} has no open wave to close (last wave: {status.wave or 'none'}, "
            f"{status.status}); open one with `persuasion field open {name}`"
        )
    if not status.complete and not force:
        raise ValueError(
            f"wave {status.wave} of study {name!r} is not complete: {status.arguments_done} of "
            f"{status.arguments} arguments have {status.target} ratings; keep syncing "
            f"(`persuasion field sync {name}`) or close it anyway with --force"
        )
    return _close(store, loaded, platform or platform_for(loaded))


def _close(store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform) -> WaveStatus:
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        ref = wave.platform_ref if wave is not None else ""
    if ref and platform.has_submissions:
        platform.close(ref)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        if wave is not None and wave.status == "open":
            close_wave(session, wave)
    return wave_status(store, loaded)


def _event(store: Store, loaded: LoadedStudy, kind: str, payload: dict[str, object]) -> None:
    with store.session() as session:
        log_event(session, loaded.study_id, kind, dict(payload))
