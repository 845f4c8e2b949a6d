"""Follow-up waves (durability): `follow_up.after_days` after a wave closed, its participants
are asked again how much they support the claims they rated, with no argument shown.

Opening a follow-up (`open_follow_up`, run on schedule by `persuasion serve` and by
`persuasion field follow-up`) creates the follow-up wave (a wave of kind `follow_up` that
follows the original), invites every participant whose session in the original wave was
completed and kept, and then, by platform:

- simulated: the simulated panel answers at once (surveys/simulated_follow_up.py);
- link: nothing is published; the researcher sends each participant their personal link
  (`follow_up_links` matches the researcher's list of ids through the keyed hash);
- prolific: a new study whose custom allowlist admits only the original wave's participants.
  The store keeps no raw Prolific id, so the allowlist is built from the original study's
  submission list at this moment, keeping the ids whose keyed hash matches an invited
  participant. It is published only after its preflight (places, reward, cost, the follow-up
  address answering) finds nothing that stops it.

`sync_follow_ups` approves the follow-up submissions whose answers are stored and closes a
follow-up once everyone answered or `follow_up.open_days` have passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from common import UsageError
from fieldwork.field_store import as_utc, has_event, set_platform_ref
from fieldwork.follow_up_panel import answer_follow_up
from fieldwork.follow_up_platform import (
    FollowUpRefused,
    allowlist,
    follow_up_preflight,
    follow_up_request,
    review_follow_up,
)
from fieldwork.platforms import RecruitmentPlatform, get_platform
from fieldwork.preflight import Probe, http_probe
from study import LoadedStudy
from study.store import (
    FollowUpSessionRow,
    SessionRow,
    Store,
    WaveRow,
    close_wave,
    follow_up_of,
    invite_follow_up,
    log_event,
    open_follow_up_wave,
    utcnow,
)
from surveys import follow_up_token, load_secret, token_hash

Confirm = Callable[[list[str]], bool]  # shown the preflight's lines, says whether to publish

__all__ = [
    "FollowUpRefused",
    "FollowUpStatus",
    "due_follow_ups",
    "follow_up_status",
    "open_follow_up",
    "run_follow_ups",
    "sync_follow_ups",
]


@dataclass(frozen=True)
class FollowUpStatus:
    """One follow-up wave: the wave it follows, its own number, status and platform
    reference, the participants invited and those who answered, when it closes."""

    study: str
    follows: int
    wave: int
    status: str
    platform: str
    platform_ref: str
    invited: int
    completed: int
    closes_at: datetime | None


def _plan(loaded: LoadedStudy) -> int:
    plan = loaded.study.follow_up
    if plan is None:
        raise UsageError(
            f"study {loaded.study.name!r} has no follow-up; add a [follow_up] section to its "
            "study file (for example `[follow_up]` then `after_days = 30`)"
        )
    return plan.after_days


def due_follow_ups(store: Store, loaded: LoadedStudy, now: datetime) -> list[int]:
    """Numbers of the study's closed main waves whose follow-up is due at `now` and not
    opened yet (pilot waves get none)."""
    after = timedelta(days=_plan(loaded))
    with store.session() as session:
        waves = session.scalars(
            select(WaveRow)
            .where(
                WaveRow.study_id == loaded.study_id,
                WaveRow.kind == "main",
                WaveRow.status == "closed",
            )
            .order_by(WaveRow.number)
        ).all()
        due = [
            w.number
            for w in waves
            if w.closed_at is not None
            and as_utc(w.closed_at) + after <= now
            and follow_up_of(session, w.id) is None
        ]
    return [n for n in due if not has_event(store, loaded.study_id, "wave.pilot", n)]


def open_follow_up(
    store: Store,
    loaded: LoadedStudy,
    wave: int,
    platform: RecruitmentPlatform | None = None,
    *,
    now: datetime | None = None,
    early: bool = False,
    probe: Probe = http_probe,
    confirm: Confirm | None = None,
) -> FollowUpStatus:
    """Open (or resume opening) the follow-up of main wave `wave` (see the module docstring).
    Refuses a wave that is still open, and one whose follow-up is not due yet unless
    `early`. On a platform with submissions the preflight's lines are shown to `confirm`
    (the command line asks the researcher), and nothing is published unless it says yes;
    without `confirm` (the schedule) the preflight is recorded and any blocker refuses.
    Safe to run again: invitations, the platform's draft and its publication are each
    recorded once."""
    now = now or utcnow()
    after_days = _plan(loaded)
    study = loaded.study
    original_id = _check_original(store, loaded, wave, now, after_days, early)
    platform = platform or get_platform(study.recruitment.platform, study.recruitment)
    key = load_secret(store.url)
    with store.session() as session:
        original = session.get_one(WaveRow, original_id)
        row = open_follow_up_wave(session, original, original.platform)
        follow_id, number, ref = row.id, row.number, row.platform_ref
    invited = _invite(store, follow_id, original_id, key)
    if platform.name == "simulated":
        _answer_inline(store, loaded, follow_id, number, now)
    elif platform.has_submissions and not has_event(
        store, loaded.study_id, "follow_up.published", number
    ):
        _publish(store, loaded, platform, (follow_id, number, wave), ref, key, probe, confirm)
    with store.session() as session:
        log_event(session, loaded.study_id, "follow_up.invited", {"wave": number, "n": invited})
    return follow_up_status(store, loaded, number)


def _answer_inline(
    store: Store, loaded: LoadedStudy, follow_id: int, number: int, now: datetime
) -> None:
    """The simulated panel answers once (a re-run does not give non-responders another
    chance), then the follow-up closes: nobody else will answer."""
    if not has_event(store, loaded.study_id, "follow_up.answered", number):
        seed = loaded.study.study.seed + number
        n = answer_follow_up(store, loaded.study, follow_id, seed, now)
        with store.session() as session:
            log_event(session, loaded.study_id, "follow_up.answered", {"wave": number, "n": n})
    with store.session() as session:
        row = session.get_one(WaveRow, follow_id)
        if row.status == "open":
            close_wave(session, row, now)


def _check_original(
    store: Store, loaded: LoadedStudy, wave: int, now: datetime, after_days: int, early: bool
) -> int:
    name = loaded.study.name
    with store.session() as session:
        row = session.scalar(
            select(WaveRow).where(
                WaveRow.study_id == loaded.study_id,
                WaveRow.number == wave,
                WaveRow.kind == "main",
            )
        )
        if row is None:
            raise UsageError(
                f"study {name!r} has no wave {wave} to follow up; see its waves with "
                f"`persuasion status {name}`"
            )
        if row.status != "closed" or row.closed_at is None:
            raise UsageError(
                f"wave {wave} of study {name!r} is still open; close it first "
                f"(`persuasion field close {name}`), its follow-up opens {after_days} days later"
            )
        due = as_utc(row.closed_at) + timedelta(days=after_days)
        if due > now and not early and follow_up_of(session, row.id) is None:
            raise UsageError(
                f"the follow-up of wave {wave} of study {name!r} is due on "
                f"{due:%Y-%m-%d %H:%M} UTC (follow_up.after_days = {after_days} after the wave "
                "closed); `persuasion serve` opens it then, or pass --early to open it now"
            )
        return row.id


def _invite(store: Store, follow_id: int, original_id: int, key: bytes) -> int:
    """Invite each participant with a completed, kept session in the original wave (once)."""
    with store.session() as session:
        people = session.scalars(
            select(SessionRow.participant_id)
            .where(
                SessionRow.wave_id == original_id,
                SessionRow.status == "completed",
                SessionRow.exclusion == "",
            )
            .distinct()
            .order_by(SessionRow.participant_id)
        ).all()
        have = set(
            session.scalars(
                select(FollowUpSessionRow.participant_id).where(
                    FollowUpSessionRow.wave_id == follow_id
                )
            )
        )
        for pid in people:
            if pid not in have:
                token = follow_up_token(key, follow_id, pid)
                invite_follow_up(session, follow_id, pid, token_hash(token))
        return len(people)


def _publish(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform,
    waves: tuple[int, int, int],
    ref: str,
    key: bytes,
    probe: Probe,
    confirm: Confirm | None,
) -> None:
    """Create the follow-up study (allowlist of the matched participants), run its
    preflight, then publish it. `waves`: the follow-up's row id and number, the original's
    number."""
    follow_id, number, original = waves
    if not ref:
        ids = allowlist(store, platform, follow_id, key)
        request = follow_up_request(loaded, number, original, ids)
        pf = follow_up_preflight(loaded, request, probe)
        with store.session() as session:
            log_event(
                session, loaded.study_id, "follow_up.preflight", {"wave": number, "lines": pf[0]}
            )
        if pf[1]:
            raise FollowUpRefused("; ".join(pf[1]))
        if confirm is not None and not confirm(pf[0]):
            raise FollowUpRefused("not confirmed, nothing was published; answer y, or pass --yes")
        ref = platform.create(request)
        set_platform_ref(store, follow_id, ref)
    platform.publish(ref)
    with store.session() as session:
        log_event(session, loaded.study_id, "follow_up.published", {"wave": number, "ref": ref})


def follow_up_status(store: Store, loaded: LoadedStudy, number: int) -> FollowUpStatus:
    """The follow-up wave `number` of the study."""
    plan = loaded.study.follow_up
    with store.session() as session:
        row = session.scalar(
            select(WaveRow).where(
                WaveRow.study_id == loaded.study_id,
                WaveRow.number == number,
                WaveRow.kind == "follow_up",
            )
        )
        if row is None:
            raise UsageError(f"study {loaded.study.name!r} has no follow-up wave {number}")
        counts = dict(
            session.execute(
                select(FollowUpSessionRow.status, func.count())
                .where(FollowUpSessionRow.wave_id == row.id)
                .group_by(FollowUpSessionRow.status)
            ).all()
        )
        follows = session.get_one(WaveRow, row.follows_wave_id).number
        closes = as_utc(row.opened_at) + timedelta(days=plan.open_days) if plan else None
        return FollowUpStatus(
            loaded.study.name,
            follows,
            row.number,
            row.status,
            row.platform,
            row.platform_ref,
            sum(counts.values()),
            int(counts.get("completed", 0)),
            closes,
        )


def sync_follow_ups(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    now: datetime | None = None,
) -> list[FollowUpStatus]:
    """Review and close the study's open follow-ups: approve the submissions whose answers
    are stored (on a platform with submissions), close a follow-up that everyone answered or
    whose `follow_up.open_days` have passed."""
    now = now or utcnow()
    plan = loaded.study.follow_up
    with store.session() as session:
        rows = session.execute(
            select(WaveRow.number, WaveRow.id, WaveRow.platform_ref, WaveRow.opened_at).where(
                WaveRow.study_id == loaded.study_id,
                WaveRow.kind == "follow_up",
                WaveRow.status == "open",
            )
        ).all()
    out = []
    for number, wave_id, ref, opened in rows:
        status = follow_up_status(store, loaded, number)
        if ref:
            platform = platform or get_platform(
                loaded.study.recruitment.platform, loaded.study.recruitment
            )
            review_follow_up(store, platform, wave_id, ref)
        overdue = plan is not None and as_utc(opened) + timedelta(days=plan.open_days) <= now
        if status.completed >= status.invited or overdue:
            if ref and platform is not None and platform.has_submissions:
                platform.close(ref)
            with store.session() as session:
                close_wave(session, session.get_one(WaveRow, wave_id), now)
        out.append(follow_up_status(store, loaded, number))
    return out


def run_follow_ups(
    store: Store,
    loaded: LoadedStudy,
    platform: RecruitmentPlatform | None = None,
    now: datetime | None = None,
) -> list[FollowUpStatus]:
    """What the schedule does: open every follow-up that is due, then sync the open ones;
    returns the follow-ups opened or synced. A study without [follow_up] has nothing to do."""
    if loaded.study.follow_up is None:
        return []
    now = now or utcnow()
    opened = [
        open_follow_up(store, loaded, number, platform, now=now)
        for number in due_follow_ups(store, loaded, now)
    ]
    synced = {s.wave: s for s in sync_follow_ups(store, loaded, platform, now)}
    return [synced.pop(s.wave, s) for s in opened] + list(synced.values())
