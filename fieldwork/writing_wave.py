"""The writing wave: human writers recruited like raters, before the rating waves that show
their arguments. On Prolific a writing wave is its own study (`human_writing.reward`, time
limit `human_writing.claim_minutes`, its own completion code, `human_writing.filters`) that
sends writers to the survey app's writing tasks (`/write/start/STUDY`); each writer's
submission id (SESSION_ID) is kept on the task they took, so their submission is reviewed by
the researcher's decision on their text (`fieldwork.writing_sync`) and their pay and the prize
are paid by submission id (`fieldwork.payments`, `fieldwork.prize`).

`writing_preflight` shows what opening it will publish and cost (places, reward, pay, prize,
fees, total, hourly pay, filters, time limit, the writing address answered live) and what
stops it; `persuasion field open STUDY --writing` prints it and asks before `open_writing`
creates (once: looked up by its internal name first) and publishes the study.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arguments import HUMAN_STRATEGY, request_key
from common import UsageError
from fieldwork.platforms import PublishRequest, RecruitmentPlatform
from fieldwork.preflight import Preflight, Probe, filters_text, http_probe
from study import MINIMUM_HOURLY, RECOMMENDED_HOURLY, LoadedStudy, filter_payload, hourly, money
from study.store import (
    ArgumentRow,
    ClaimRow,
    Store,
    WritingTaskRow,
    WritingWaveRow,
    events_of,
    log_event,
    utcnow,
)
from surveys import ensure_writing_tasks, writing_completion_code

PUBLISHED = "writing.published"
FILLED = "filled"  # a task whose slot got its argument another way (imported)


@dataclass(frozen=True)
class WritingStatus:
    """Where a study's writing stands: its latest writing wave, its tasks by status and the
    texts by review status (`pending_review`, `ok`, `rejected`)."""

    study: str
    wave: int
    status: str
    platform_ref: str
    places: int
    tasks: dict[str, int] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def summary(self) -> str:
        ref = f" ({self.platform_ref})" if self.platform_ref else ""
        tasks = ", ".join(f"{n} {k}" for k, n in sorted(self.tasks.items())) or "none"
        texts = ", ".join(f"{n} {k}" for k, n in sorted(self.texts.items())) or "none"
        return (
            f"{self.study}: writing wave {self.wave} {self.status}{ref}, {self.places} places; "
            f"tasks: {tasks}; texts: {texts}"
        )


def writing_status(store: Store, loaded: LoadedStudy) -> WritingStatus:
    sid = loaded.study_id
    with store.session() as session:
        wave = latest_writing_wave(store, sid)
        tasks = Counter(
            dict(
                session.execute(
                    select(WritingTaskRow.status, func.count())
                    .where(WritingTaskRow.study_id == sid)
                    .group_by(WritingTaskRow.status)
                ).all()
            )
        )
        texts = dict(
            session.execute(
                select(ArgumentRow.status, func.count())
                .join(WritingTaskRow, WritingTaskRow.argument_id == ArgumentRow.id)
                .where(WritingTaskRow.study_id == sid)
                .group_by(ArgumentRow.status)
            ).all()
        )
    number, status, ref, places = wave if wave else (0, "none", "", 0)
    return WritingStatus(
        loaded.study.name,
        number,
        status,
        ref,
        places,
        dict(tasks),
        {k: int(v) for k, v in texts.items()},
    )


def latest_writing_wave(store: Store, study_id: int) -> tuple[int, str, str, int] | None:
    """(number, status, platform ref, places) of the study's latest writing wave."""
    with store.session() as session:
        row = session.scalars(
            select(WritingWaveRow)
            .where(WritingWaveRow.study_id == study_id)
            .order_by(WritingWaveRow.number.desc())
            .limit(1)
        ).first()
        return (row.number, row.status, row.platform_ref, row.places) if row else None


def writing_open(store: Store, loaded: LoadedStudy) -> bool:
    """Whether the study has an open writing wave (a scheduled sync then reconciles it)."""
    wave = latest_writing_wave(store, loaded.study_id)
    return wave is not None and wave[1] == "open"


def writing_refs(store: Store, study_id: int) -> tuple[str, ...]:
    """Platform references of every writing wave of the study (kept out of the rating waves,
    so nobody rates an argument they may have written)."""
    with store.session() as session:
        refs = session.scalars(
            select(WritingWaveRow.platform_ref)
            .where(WritingWaveRow.study_id == study_id, WritingWaveRow.platform_ref != "")
            .order_by(WritingWaveRow.number)
        ).all()
    return tuple(refs)


def open_tasks(store: Store, loaded: LoadedStudy) -> int:
    """Writing tasks waiting for a writer (created first if missing). A task whose slot already
    has an argument (imported with `persuasion arguments import`) is marked `filled` first, so
    no writer is recruited for a text that could never be stored."""
    ensure_writing_tasks(store, loaded.study.name)
    with store.session() as session:
        tasks = session.execute(
            select(WritingTaskRow, ClaimRow.key)
            .join(ClaimRow, ClaimRow.id == WritingTaskRow.claim_id)
            .where(WritingTaskRow.study_id == loaded.study_id, WritingTaskRow.status == "open")
        ).all()
        keys = {
            request_key(loaded.study.name, claim, t.writer, HUMAN_STRATEGY, t.slot, ""): t
            for t, claim in tasks
        }
        stored = session.scalars(
            select(ArgumentRow.request_key).where(ArgumentRow.request_key.in_(list(keys)))
        ).all()
        for key in stored:
            keys[key].status = FILLED
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    WritingTaskRow.study_id == loaded.study_id, WritingTaskRow.status == "open"
                )
            )
            or 0
        )


def writing_request(
    loaded: LoadedStudy, places: int, number: int, earlier: tuple[str, ...] = ()
) -> PublishRequest:
    """What the platform is asked to recruit for writing wave `number`."""
    study = loaded.study
    hw, rec = study.human_writing, study.recruitment
    filters = hw.filters if hw.filters is not None else rec.filters
    blocked = earlier if filters.block_earlier_waves else ()
    description = hw.description or (
        f"Write one persuasive argument of {study.arguments.words_min} to "
        f"{study.arguments.words_max} words about a claim on a current issue, in your own words "
        "and without AI tools. Your text is read by the researchers before anyone else."
    )
    return PublishRequest(
        name=hw.title or f"Write a short argument ({study.name})",
        internal_name=f"{study.name} writers {number}",
        description=description,
        survey_url=hw.writing_url(rec),
        places=places,
        reward=hw.reward or 0,
        estimated_minutes=hw.estimated_minutes,
        completion_code=writing_completion_code(study),
        failed_attention_code="",
        currency=rec.currency,
        maximum_allowed_minutes=hw.claim_minutes,
        filters=tuple(filter_payload(filters, blocked)),
    )


def writing_preflight(store: Store, loaded: LoadedStudy, probe: Probe = http_probe) -> Preflight:
    """The preflight of the next writing wave (see the module docstring)."""
    study = loaded.study
    hw, rec = study.human_writing, study.recruitment
    if rec.platform != "prolific":
        raise UsageError(
            f"a writing wave recruits writers on Prolific; study {study.name!r} recruits on "
            f"{rec.platform!r}: hand writers invitation links instead (`persuasion survey "
            f"invites {study.name} --count N --base https://HOST`)"
        )
    open_now = open_tasks(store, loaded)
    places = min(hw.places, open_now) if hw.places else open_now
    lines, blockers = [f"Preflight: writing study of {study.name} on prolific"], []
    lines += _money_lines(loaded, places)
    lines.append(f"  time limit: {hw.claim_minutes} minutes (human_writing.claim_minutes)")
    filters = hw.filters if hw.filters is not None else rec.filters
    lines.append(f"  filters: {filters_text(filters, len(writing_refs(store, loaded.study_id)))}")
    lines.append(f"  writing tasks waiting for a writer: {open_now}")
    if hw.reward is None:
        blockers.append(
            "human_writing.reward is not set: set the writing study's reward per writer (in "
            "pence or cents, at least Prolific's minimum hourly pay for "
            "human_writing.estimated_minutes)"
        )
    if places == 0:
        blockers.append(
            f"no writing task of study {study.name!r} waits for a writer; review the texts "
            f"(`persuasion arguments review {study.name}`) or open the rating wave"
        )
    url = hw.writing_url(rec)
    problem = probe(url) if url else "cannot be derived from recruitment.survey_url"
    lines.append(f"  writing address: {url or '(none)'} {problem or 'answers'}")
    if problem:
        blockers.append(
            f"the writing address {url or '(none)'} {problem}; serve the survey app there "
            "(`persuasion survey serve`) or set human_writing.survey_url"
        )
    return Preflight(study.name, "prolific", places, tuple(lines), tuple(blockers))


def _money_lines(loaded: LoadedStudy, places: int) -> list[str]:
    hw, cur = loaded.study.human_writing, loaded.study.recruitment.currency
    reward, minutes = hw.reward or 0, hw.estimated_minutes
    rewards, pay = reward * places, hw.pay * places
    fees = round((rewards + pay + hw.prize) * loaded.study.recruitment.fee_rate)
    total = rewards + pay + hw.prize + fees
    return [
        f"  places: {places}",
        f"  reward: {money(reward, cur)} per writer for {minutes} minutes "
        f"({money(hourly(reward, minutes), cur)} an hour; Prolific's minimum "
        f"{money(MINIMUM_HOURLY[cur], cur)}, recommended {money(RECOMMENDED_HOURLY[cur], cur)})",
        f"  pay: {money(hw.pay, cur)} bonus per approved text; prize: {money(hw.prize, cur)} "
        "for the most persuasive human argument",
        f"  cost: {money(rewards, cur)} rewards + {money(pay, cur)} pay + "
        f"{money(hw.prize, cur)} prize + {money(fees, cur)} fees (estimate at "
        f"{loaded.study.recruitment.fee_rate:.1%}) = {money(total, cur)} at most",
    ]


def open_writing(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, places: int
) -> WritingStatus:
    """Open a writing wave of `places` (or keep the open one), create it on the platform once
    (an existing study of the same internal name is reused) and publish it; each step is
    recorded, so a run that failed halfway resumes."""
    sid = loaded.study_id
    open_tasks(store, loaded)
    with store.session() as session:
        wave = session.scalars(
            select(WritingWaveRow).where(
                WritingWaveRow.study_id == sid, WritingWaveRow.status == "open"
            )
        ).first()
        if wave is None:
            number = 1 + int(
                session.scalar(
                    select(func.coalesce(func.max(WritingWaveRow.number), 0)).where(
                        WritingWaveRow.study_id == sid
                    )
                )
                or 0
            )
            wave = WritingWaveRow(study_id=sid, number=number, platform="prolific", places=places)
            session.add(wave)
            session.flush()
        wave_id, number, ref = wave.id, wave.number, wave.platform_ref
        published = _published(session, sid, number)
    if ref and published:
        return writing_status(store, loaded)
    if not ref:
        ref = platform.create(writing_request(loaded, places, number, writing_refs(store, sid)))
        with store.session() as session:
            row = session.get_one(WritingWaveRow, wave_id)
            row.platform_ref, row.places = ref, places
            log_event(session, sid, "writing.created", {"wave": number, "ref": ref})
    platform.publish(ref)
    with store.session() as session:
        log_event(session, sid, PUBLISHED, {"wave": number, "ref": ref, "places": places})
    return writing_status(store, loaded)


def _published(session: Session, study_id: int, number: int) -> bool:
    return any(e.payload.get("wave") == number for e in events_of(session, study_id, PUBLISHED))


def close_writing(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform
) -> WritingStatus:
    """Close the open writing wave and stop recruiting writers on the platform."""
    with store.session() as session:
        wave = session.scalars(
            select(WritingWaveRow).where(
                WritingWaveRow.study_id == loaded.study_id, WritingWaveRow.status == "open"
            )
        ).first()
        if wave is None:
            raise UsageError(
                f"study {loaded.study.name!r} has no open writing wave; open one with "
                f"`persuasion field open {loaded.study.name} --writing`"
            )
        ref = wave.platform_ref
    if ref:
        platform.close(ref)
    with store.session() as session:
        row = session.scalars(
            select(WritingWaveRow).where(
                WritingWaveRow.study_id == loaded.study_id, WritingWaveRow.status == "open"
            )
        ).first()
        if row is not None:
            row.status, row.closed_at = "closed", utcnow()
            log_event(session, loaded.study_id, "writing.closed", {"wave": row.number})
    return writing_status(store, loaded)
