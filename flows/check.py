"""The full preflight of a study (`persuasion run STUDY.toml --check`, and the start of every
`run`): everything that would make a run fail later, found before anything is spent, with no
network request. It lists every problem at once, one line each.

Checked: the study file; its claim set; every model writer's provider and model against the
provider's registry (retired models included); the API key each provider needs; every
strategy name and template; every schedule's cron; the recruitment platform's settings and
token; the store (reachable, or creatable); changes to the stored study that its data refuses."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from arguments import (
    GenerationError,
    ProviderConfig,
    bundled_strategies,
    get_provider,
    model_for,
    split_model,
    strategies_for,
)
from claims import ClaimSet, ClaimSetError, load_claim_set
from common import PersuasionError
from fieldwork.platforms import get_platform
from study import Study, load_study
from study.store import probe_store

SCHEDULES = ("sync", "analysis", "new_generation")


@dataclass(frozen=True)
class CheckResult:
    """The study (None when its file does not load), its claim set and every problem found."""

    study: Study | None
    claims: ClaimSet | None
    problems: tuple[str, ...]


def check_study(ref: str, db: str | None) -> CheckResult:
    """Every problem a run of the study file `ref` on store `db` would meet, without spending
    anything or calling any service."""
    try:
        study = load_study(ref)
    except ClaimSetError as exc:
        return CheckResult(None, None, tuple(str(p) for p in exc.problems))
    except PersuasionError as exc:
        return CheckResult(None, None, (str(exc),))
    problems: list[str] = []
    claims = _claims(study, problems)
    problems += writer_problems(study)
    problems += strategy_problems(study)
    problems += cron_problems(study)
    problems += _attempt(lambda: get_platform(study.recruitment.platform, study.recruitment))
    store = _attempt(lambda: probe_store(db))
    problems += store or refused_changes(ref, db)
    return CheckResult(study, claims, tuple(problems))


def refused_changes(ref: str, db: str | None) -> list[str]:
    """The file's changes to the stored study of its name that the data already collected
    refuses (study.config_changes); none when the study or the store is not there yet."""
    from study import preview_update
    from study.store import open_store

    try:
        with open_store(db, create=False, migrate=False) as store:
            refused = preview_update(store, ref).refused
    except PersuasionError:  # not stored yet (run registers it), or reported above
        return []
    return [refused] if refused else []


def _claims(study: Study, problems: list[str]) -> ClaimSet | None:
    try:
        return load_claim_set(study.study.claims)
    except ClaimSetError as exc:
        problems += [str(p) for p in exc.problems]
    except PersuasionError as exc:
        problems.append(str(exc))
    except OSError as exc:
        problems.append(f"claim set {study.study.claims!r} cannot be read: {exc.strerror}")
    return None


def _attempt(action: object) -> list[str]:
    try:
        action()  # type: ignore[operator]
    except PersuasionError as exc:
        return [str(exc)]
    return []


def writer_problems(study: Study) -> list[str]:
    """Each model writer: a known provider, a model its registry knows and that can still be
    called, and the provider set up (an API key present, a replay file readable)."""
    problems: list[str] = []
    checked: set[str] = set()
    for writer in study.writers:
        if writer.kind != "model":
            continue
        try:
            split_model(writer.model)
            model_for(study, writer)
        except GenerationError as exc:
            problems.append(f"writer {writer.id!r}: {exc}")
            continue
        key = f"{writer.model}|{writer.replay_file}"
        if key in checked:
            continue
        checked.add(key)
        config = ProviderConfig(study.generation.timeout_seconds, writer.replay_file)
        try:
            provider = get_provider(writer.model, config)
        except PersuasionError as exc:
            problems.append(f"writer {writer.id!r}: {exc}")
            continue
        asyncio.run(provider.aclose())
    return problems


def strategy_problems(study: Study) -> list[str]:
    """Every strategy a writer (or the control arm) names is bundled or defined in the study
    file, and every template of the study's own strategies is well formed."""
    known = set(bundled_strategies()) | {s.name for s in study.strategies}
    named = [(w.id, s) for w in study.writers for s in w.strategies]
    named.append(("control", study.control.strategy))
    problems = [
        f"writer {who!r}: unknown strategy {name!r}; known strategies: {', '.join(sorted(known))}"
        for who, name in named
        if name not in known
    ]
    if not problems:
        problems += _attempt(lambda: strategies_for(study))
    return problems


def cron_problems(study: Study) -> list[str]:
    """Every schedule is a cron expression Prefect accepts (fields in range, not only five)."""
    from prefect.client.schemas.schedules import CronSchedule

    problems = []
    for key in SCHEDULES:
        value = getattr(study.schedules, key)
        if not value:
            continue
        try:
            CronSchedule(cron=value)
        except ValueError:
            problems.append(
                f"schedules.{key} = {value!r} is not a valid cron expression (minute 0-59, "
                'hour 0-23, day 1-31, month 1-12, weekday 0-6), e.g. "0 3 * * *"'
            )
    return problems
