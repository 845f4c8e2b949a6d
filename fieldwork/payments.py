"""Bonus payments through the platform's bulk bonus API, never paid twice.

What is owed: a participant who finished the survey after the platform timed their submission
out (Prolific cannot approve a TIMED-OUT submission, so their reward is paid as a bonus); a
writer from the writing study whose text was approved, `human_writing.pay` (and the writing
study's reward when the platform timed the writer out); the prize for the most persuasive
human argument (`fieldwork.prize`). Each payment is identified by a stable key
(`timeout:<submission id>`, `writer:<submission id>`, `prize`) and addressed by submission
id, so no participant id is stored. A payment is written ahead to the event log at each step:
`bonus.created` (the platform's payment id, the keys and the lines), `bonus.paying` just before
the pay call, `bonus.paid` after it. Prolific's pay call is not idempotent, so a payment whose
`bonus.paying` has no `bonus.paid` (the call's outcome is unknown, or the process died) is
never sent again: it is reported for the researcher to check on the platform. A pay call the
platform refused outright (`bonus.refused`, e.g. a low balance) is tried again next run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from fieldwork.platforms import PlatformError, RecruitmentPlatform, UncertainOutcome
from study import LoadedStudy, money
from study.store import (
    ArgumentRow,
    EventRow,
    SessionRow,
    Store,
    WaveRow,
    WritingTaskRow,
    WritingWaveRow,
    log_event,
)

CREATED, PAYING, PAID, REFUSED = "bonus.created", "bonus.paying", "bonus.paid", "bonus.refused"


@dataclass(frozen=True)
class Owed:
    """One bonus the study owes: to a submission of the platform study `ref`."""

    key: str
    ref: str
    submission: str
    amount: int
    reason: str


@dataclass(frozen=True)
class BonusRun:
    """What a bonus run did: keys paid, and problems for the researcher."""

    paid: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def created_keys(store: Store, study_id: int) -> set[str]:
    """The keys of every bonus already set up on the platform (paid or not)."""
    return {k for kind, p in _events(store, study_id) if kind == CREATED for k in p["keys"]}


def _events(store: Store, study_id: int) -> list[tuple[str, dict[str, Any]]]:
    with store.session() as session:
        rows = session.execute(
            select(EventRow.kind, EventRow.payload)
            .where(
                EventRow.study_id == study_id, EventRow.kind.in_((CREATED, PAYING, PAID, REFUSED))
            )
            .order_by(EventRow.id)
        ).all()
    return [(kind, dict(payload)) for kind, payload in rows]


def owed_bonuses(store: Store, loaded: LoadedStudy) -> list[Owed]:
    """Bonuses owed and not yet set up: participants whose survey session completed although
    the platform timed their submission out, paid the study's reward."""
    created = created_keys(store, loaded.study_id)
    reward = loaded.study.recruitment.reward_minor
    with store.session() as session:
        rows = session.execute(
            select(SessionRow.platform_session, WaveRow.platform_ref)
            .join(WaveRow, WaveRow.id == SessionRow.wave_id)
            .where(
                WaveRow.study_id == loaded.study_id,
                SessionRow.review == "timed_out",
                SessionRow.status == "completed",
                SessionRow.platform_session != "",
            )
            .order_by(SessionRow.id)
        ).all()
    owed = [
        Owed(f"timeout:{sub}", ref, sub, reward, "finished after the platform's time limit")
        for sub, ref in rows
    ]
    return [o for o in owed + writers_owed(store, loaded) if o.key not in created]


def writers_owed(store: Store, loaded: LoadedStudy) -> list[Owed]:
    """Writers' pay: `human_writing.pay` for each approved text written through the writing
    study (plus the writing study's reward when the platform timed the writer out)."""
    hw = loaded.study.human_writing
    with store.session() as session:
        rows = session.execute(
            select(
                WritingTaskRow.platform_session, WritingTaskRow.review, WritingWaveRow.platform_ref
            )
            .join(WritingWaveRow, WritingWaveRow.id == WritingTaskRow.writing_wave_id)
            .join(ArgumentRow, ArgumentRow.id == WritingTaskRow.argument_id)
            .where(
                WritingTaskRow.study_id == loaded.study_id,
                WritingTaskRow.review.in_(("approved", "timed_out")),
                WritingTaskRow.platform_session != "",
                ArgumentRow.status == "ok",
            )
            .order_by(WritingTaskRow.id)
        ).all()
    out = []
    for sub, review, ref in rows:
        late = (hw.reward or 0) if review == "timed_out" else 0
        if hw.pay + late > 0:
            why = "approved text" + (", after the writing study's time limit" if late else "")
            out.append(Owed(f"writer:{sub}", ref, sub, hw.pay + late, why))
    return out


def unpaid_bonuses(
    store: Store, study_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(payments set up but never sent, payments sent without a confirmation)."""
    events = _events(store, study_id)
    tries = Counter(p["payment"] for kind, p in events if kind == PAYING)
    refused = Counter(p["payment"] for kind, p in events if kind == REFUSED)
    paid = {p["payment"] for kind, p in events if kind == PAID}
    created = [p for kind, p in events if kind == CREATED and p["payment"] not in paid]
    return (
        [p for p in created if tries[p["payment"]] == refused[p["payment"]]],
        [p for p in created if tries[p["payment"]] > refused[p["payment"]]],
    )


def describe_bonuses(
    loaded: LoadedStudy, owed: list[Owed], pending: list[dict[str, Any]]
) -> list[str]:
    """The lines shown before paying: each bonus and the total."""
    cur = loaded.study.recruitment.currency
    lines = [f"  {o.submission}: {money(o.amount, cur)} ({o.reason})" for o in owed]
    lines += [
        f"  payment {p['payment']}: {money(sum(a for _, a in p['lines']), cur)} (set up, not sent)"
        for p in pending
    ]
    total = sum(o.amount for o in owed) + sum(a for p in pending for _, a in p["lines"])
    return [*lines, f"  total: {money(total, cur)} before the platform's fees"]


def pay_bonuses(
    store: Store, loaded: LoadedStudy, platform: RecruitmentPlatform, owed: list[Owed]
) -> BonusRun:
    """Set up the owed bonuses (one bulk payment per platform study) and pay them, with the
    pending ones; a payment whose pay call may have gone through is never sent again."""
    sid = loaded.study_id
    problems: list[str] = []
    for ref in dict.fromkeys(o.ref for o in owed):
        mine = [o for o in owed if o.ref == ref]
        lines = [(o.submission, o.amount) for o in mine]
        try:
            payment = platform.create_bonuses(ref, lines)
        except PlatformError as exc:
            problems.append(f"setting up {len(mine)} bonuses on {ref}: {exc}")
            continue
        _log(
            store,
            sid,
            CREATED,
            {
                "payment": payment,
                "ref": ref,
                "keys": [o.key for o in mine],
                "lines": [list(x) for x in lines],
            },
        )
    pending, uncertain = unpaid_bonuses(store, sid)
    paid: list[str] = []
    for p in pending:
        _log(store, sid, PAYING, {"payment": p["payment"]})
        try:
            platform.pay_bonuses(p["payment"])
        except UncertainOutcome as exc:
            problems.append(_check_message(p, str(exc)))
            continue
        except PlatformError as exc:  # refused outright: nothing was paid, try again later
            _log(store, sid, REFUSED, {"payment": p["payment"]})
            problems.append(f"paying bonus payment {p['payment']}: {exc}; run again later")
            continue
        _log(store, sid, PAID, {"payment": p["payment"]})
        paid += p["keys"]
    problems += [_check_message(p, "no confirmation was recorded") for p in uncertain]
    return BonusRun(tuple(paid), tuple(problems))


def _check_message(payment: dict[str, Any], why: str) -> str:
    return (
        f"bonus payment {payment['payment']} on {payment['ref']} may or may not have been paid "
        f"({why}); it is never sent again: check the study's bonuses on the platform"
    )


def _log(store: Store, study_id: int, kind: str, payload: dict[str, Any]) -> None:
    with store.session() as session:
        log_event(session, study_id, kind, payload)
