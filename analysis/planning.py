"""`persuasion plan`: power planning for a study file or a stored study, from its analysis plan
(smallest effect of interest), its writers (arguments per claim) and its simulation parameters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.checks import check_option
from analysis.errors import AnalysisError
from analysis.power import POWER_TESTS, PowerModel, PowerTest, simulate_power, smallest_designs
from claims import load_claim_set
from common import PersuasionError
from study import Study, load_study
from study.store import get_study_row, open_store, study_config


@dataclass(frozen=True)
class PlanResult:
    heading: str
    table: pd.DataFrame
    designs: pd.DataFrame
    conclusion: str


def power_model(study: Study) -> PowerModel:
    sim = study.simulation
    models = [w for w in study.writers if w.kind == "model"]
    humans = [w for w in study.writers if w.kind == "human"]
    reference = study.writer(study.analysis.reference)
    return PowerModel(
        before_sd=sim.before_sd,
        claim_sd=sim.claim_sd,
        noise_sd=sim.noise_sd,
        argument_sd=sim.argument_sd,
        interaction_sd=sim.argument_sd,
        model_arguments=max(len(models[0].strategies), 1) * study.arguments.replicates
        if models
        else 1,
        human_arguments=humans[0].per_claim if humans else 1,
        human_effect=reference.true_effect or PowerModel().human_effect,
    )


def claim_count(study: Study) -> int | None:
    """Opinion claims in the study's claim set (None when the file cannot be read)."""
    try:
        claims = load_claim_set(study.study.claims)
    except (PersuasionError, OSError):
        return None
    return sum(1 for c in claims.claims if c.kind != "control")


def _study(db: str | None, ref: str) -> Study:
    if ref.endswith(".toml"):
        return load_study(ref)
    with open_store(db, create=False) as store, store.session() as session:
        return study_config(get_study_row(session, ref))


def plan_study(
    db: str | None,
    ref: str,
    target: float,
    claims: list[int],
    raters: list[int],
    test: str,
    reps: int,
) -> PlanResult:
    """Simulated power over the claims x raters grid and the smallest designs reaching
    `target`."""
    check_option("test", test, POWER_TESTS)
    if not 0 < target < 1:
        raise AnalysisError(f"--power {target!r} must be between 0 and 1, e.g. 0.8")
    study = _study(db, ref)
    mode: PowerTest = "equivalence" if test == "equivalence" else "difference"
    model = power_model(study)
    effect = study.analysis.smallest_effect
    table = simulate_power(claims, raters, effect, model, mode, reps=reps, seed=study.study.seed)
    designs = smallest_designs(table, target)
    what = (
        f"detect a difference of {effect} scale points from {study.analysis.reference}"
        if mode == "difference"
        else f"show equivalence within ±{effect} when there is no difference"
    )
    available = claim_count(study)
    has = (
        f"the claim set has {available} opinion claims"
        if available is not None
        else "the claim set could not be read here"
    )
    heading = (
        f"Study {study.name}: power to {what} ({model.model_arguments} model and "
        f"{model.human_arguments} human arguments per claim, {reps} simulations per design of "
        f"the primary ANCOVA with claim-clustered SEs); {has}"
    )
    if designs.empty:
        conclusion = f"No design tried reaches power {target}; try more claims (--claims)."
    else:
        best = designs.sort_values("n_ratings").iloc[0]
        conclusion = (
            f"Smallest design reaching power {target}: {int(best['n_claims'])} claims x "
            f"{int(best['raters_per_argument'])} raters per argument "
            f"({int(best['n_ratings'])} ratings for this pair of writers, power "
            f"{best['power']:.2f})."
        )
        if available is not None and int(best["n_claims"]) > available:
            conclusion += f" That is more than the claim set's {available} claims: add claims."
    return PlanResult(heading, table, designs, conclusion)


def registered_power(study: Study, n_claims: int, reps: int) -> dict[str, float | int]:
    """Simulated power of the study's own design (its claims, raters per argument) at its
    smallest effect of interest, for the pre-registration: difference and equivalence."""
    model = power_model(study)
    raters = study.participants.per_argument
    effect, alpha = study.analysis.smallest_effect, 1 - study.analysis.confidence
    out: dict[str, float | int] = {"reps": reps, "claims": n_claims, "raters": raters}
    modes: tuple[PowerTest, ...] = ("difference", "equivalence")
    for mode in modes:
        table = simulate_power(
            [n_claims], [raters], effect, model, mode, alpha, reps, study.study.seed
        )
        out[mode] = round(float(table["power"].iloc[0]), 4)
    return out
