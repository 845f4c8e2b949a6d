"""The preflight of a wave: what opening it will publish, cost and show, before anything is
published, and what must stop it.

`preflight` gathers the facts (places, reward, fee estimate, total cost, hourly pay, filters,
time limit, the arguments participants will read, the survey address answered live) and the
blockers: an argument to be shown that is an offline placeholder, flagged by the quality checks
or still awaiting review, and a human writer slot without a reviewed argument (unless the
researcher allows it). `persuasion field open` prints it and asks for confirmation;
`open_fieldwork` refuses any wave on a real platform while a blocker stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from common import PersuasionError
from study import MINIMUM_HOURLY, RECOMMENDED_HOURLY, Filters, LoadedStudy, hourly, money
from study.store import ArgumentRow, ClaimRow, Store, WaveRow

# Platforms that show arguments to real people (the simulated panel shows them to nobody).
REAL = frozenset({"prolific", "link"})
SHOWN = "ok"  # the argument status the allocator offers

Probe = Callable[[str], str]


class LaunchRefused(PersuasionError):
    """A wave that must not open yet: the message names the arguments and the fix."""


@dataclass(frozen=True)
class Preflight:
    """What opening the next wave will do, and what stops it."""

    study: str
    platform: str
    places: int
    lines: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    missing_humans: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def refusal(self) -> LaunchRefused:
        return LaunchRefused("; ".join(self.blockers))


def http_probe(url: str, timeout: float = 10.0) -> str:
    """Ask the survey address live (HEAD, then GET if HEAD is refused): '' when it answers with
    a success or a redirect, else what went wrong."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            response = client.head(url)
            if response.status_code in (405, 501):
                response = client.get(url)
    except httpx.HTTPError as exc:
        return f"cannot be reached ({exc.__class__.__name__}: {exc})"
    if response.status_code >= 400:
        return f"answered HTTP {response.status_code}"
    return ""


def argument_blockers(
    store: Store, loaded: LoadedStudy, allow_missing_humans: bool = False
) -> tuple[list[str], list[str], Counter[str]]:
    """(blockers, missing human slots, arguments shown per writer) for the study's next wave."""
    with store.session() as session:
        rows = session.execute(
            select(
                ArgumentRow.id,
                ArgumentRow.writer,
                ArgumentRow.status,
                ArgumentRow.placeholder,
                ClaimRow.key,
                ClaimRow.kind,
            )
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.study_id == loaded.study_id)
            .order_by(ArgumentRow.id)
        ).all()
        claims = session.scalars(
            select(ClaimRow.key).where(
                ClaimRow.study_id == loaded.study_id, ClaimRow.kind == "opinion"
            )
        ).all()
    shown = Counter(r.writer for r in rows if r.status == SHOWN)
    placeholders = [r.id for r in rows if r.status == SHOWN and r.placeholder]
    unreviewed = [r.id for r in rows if r.status != SHOWN and r.status != "rejected"]
    blockers = []
    if placeholders:
        blockers.append(
            f"{len(placeholders)} arguments to be shown are offline placeholders "
            f"(ids {_ids(placeholders)}); write them with a real model (a writer's model = "
            '"anthropic/…", then `persuasion generate STUDY.toml`) before fielding'
        )
    if unreviewed:
        blockers.append(
            f"{len(unreviewed)} arguments are flagged by the quality checks or await review "
            f"(ids {_ids(unreviewed)}); review them (`persuasion arguments show ID`) and "
            "approve, regenerate or reject each before fielding"
        )
    missing = _missing_humans(loaded, rows, claims)
    if missing and not allow_missing_humans:
        blockers.append(
            f"{len(missing)} human writer slots have no reviewed argument "
            f"({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}); collect the human "
            f"arguments first (a writing wave: `persuasion field open {loaded.study.name} "
            f"--writing`, then review the texts with `persuasion arguments review "
            f"{loaded.study.name}`; or `persuasion arguments import`), or pass "
            "--allow-missing-humans (the report then says so)"
        )
    return blockers, missing, shown


def _missing_humans(loaded: LoadedStudy, rows: Sequence[Any], claims: Sequence[str]) -> list[str]:
    have = Counter((r.writer, r.key) for r in rows if r.status == SHOWN and not r.placeholder)
    out = []
    for writer in loaded.study.writers:
        if writer.kind != "human":
            continue
        for claim in claims:
            for slot in range(have[(writer.id, claim)], writer.per_claim):
                out.append(f"{claim} by {writer.id} #{slot + 1}")
    return out


def preflight(
    store: Store,
    loaded: LoadedStudy,
    places: int,
    *,
    earlier_waves: int = 0,
    allow_missing_humans: bool = False,
    probe: Probe = http_probe,
) -> Preflight:
    """The preflight of a wave of `places` participants (see the module docstring)."""
    study = loaded.study
    rec = study.recruitment
    blockers, missing, shown = argument_blockers(store, loaded, allow_missing_humans)
    lines = [f"Preflight: study {study.name} on {rec.platform}"]
    lines += _money_lines(loaded, places)
    lines.append(
        f"  time limit: {study.participants.reservation_minutes} minutes "
        "(participants.reservation_minutes, sent as the platform's maximum time)"
    )
    lines.append(f"  filters: {filters_text(rec.filters, earlier_waves)}")
    writers = ", ".join(f"{w} {n}" for w, n in sorted(shown.items())) or "none"
    lines.append(f"  arguments shown: {sum(shown.values())} ({writers})")
    if missing:
        allowed = " (allowed by --allow-missing-humans)" if allow_missing_humans else ""
        lines.append(f"  human writer slots missing: {len(missing)}{allowed}")
    if rec.platform in REAL:
        problem = probe(rec.survey_url)
        lines.append(f"  survey: {rec.survey_url} {problem or 'answers'}")
        if problem:
            blockers.append(
                f"the survey address {rec.survey_url} {problem}; serve the survey app there "
                "behind HTTPS (`persuasion survey serve`) or fix recruitment.survey_url"
            )
    return Preflight(
        study.name, rec.platform, places, tuple(lines), tuple(blockers), tuple(missing)
    )


def _money_lines(loaded: LoadedStudy, places: int) -> list[str]:
    rec = loaded.study.recruitment
    cur, reward, minutes = rec.currency, rec.reward_minor, rec.estimated_minutes
    lines = [f"  places: {places}"]
    if rec.platform != "prolific":
        return lines
    rewards = reward * places
    fees = round(rewards * rec.fee_rate)
    lines.append(
        f"  reward: {money(reward, cur)} per participant for {minutes} minutes "
        f"({money(hourly(reward, minutes), cur)} an hour; Prolific's minimum "
        f"{money(MINIMUM_HOURLY[cur], cur)}, recommended {money(RECOMMENDED_HOURLY[cur], cur)})"
    )
    lines.append(
        f"  cost: {money(rewards, cur)} rewards + {money(fees, cur)} fees (estimate at "
        f"{rec.fee_rate:.1%}) = {money(rewards + fees, cur)} total"
    )
    return lines


def filters_text(f: Filters, earlier_waves: int) -> str:
    """The filters as the preflight shows them (`earlier_waves`: studies kept out because
    their participants took part in an earlier wave)."""
    parts = []
    if f.countries:
        parts.append(f"countries {', '.join(f.countries)}")
    if f.languages:
        parts.append(f"languages {', '.join(f.languages)}")
    if f.min_approval_rate:
        parts.append(f"approval rate at least {f.min_approval_rate:g}%")
    if f.allow_participants:
        parts.append(f"only {len(f.allow_participants)} listed participants")
    if f.block_participants:
        parts.append(f"{len(f.block_participants)} participants blocked")
    blocked = len(f.block_studies) + (earlier_waves if f.block_earlier_waves else 0)
    if blocked:
        parts.append(f"nobody from {blocked} earlier studies")
    parts += [c.filter_id for c in f.custom]
    return "; ".join(parts) or "none (everyone on the platform may take part)"


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f", … {len(ids) - 10} more" if len(ids) > 10 else "")


def launch_preflight(
    store: Store,
    loaded: LoadedStudy,
    places: int,
    *,
    allow_missing_humans: bool = False,
    probe: Probe = http_probe,
) -> Preflight | None:
    """The preflight of the study's next wave on a platform that shows arguments to people
    (None on the simulated panel, or while the open wave is already on its platform)."""
    if loaded.study.recruitment.platform not in REAL:
        return None
    with store.session() as session:
        waves = session.scalars(
            select(WaveRow)
            .where(WaveRow.study_id == loaded.study_id, WaveRow.kind == "main")
            .order_by(WaveRow.number)
        ).all()
        if waves and waves[-1].status == "open" and waves[-1].platform_ref:
            return None
        earlier = sum(1 for w in waves if w.platform_ref and w.status != "open")
    return preflight(
        store,
        loaded,
        places,
        earlier_waves=earlier,
        allow_missing_humans=allow_missing_humans,
        probe=probe,
    )
