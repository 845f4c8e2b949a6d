"""Power planning by simulation, before fieldwork: how many claims and raters per argument reach
a target power for the primary contrast (one model writer against the human writers).

Each repetition simulates ratings with the response model of the simulated panel
(surveys/simulated.py: claim prior mean ~ N(4, claim_sd), latent support ~ N(mu, before_sd),
argument quality ~ N(0, argument_sd), noise ~ N(0, noise_sd), ratings rounded and clipped to
1..7) plus a claim x writer interaction ~ N(0, interaction_sd) on the model's effect, and
analyses each simulated study by the primary analysis itself: the ANCOVA
after ~ writer + C(before) + C(claim) with standard errors clustered by claim and t-based
inference (`analysis.models.fit_ols`, as `ancova_contrasts`), not a claim-level proxy.
Claims are usually the bottleneck: raters beyond a few per argument only shrink the
within-claim noise.

`test="difference"`: the model's true advantage is `effect`; power = P(two-sided p < alpha).
`test="equivalence"`: the true difference is 0; power = P(TOST against +/- `effect` succeeds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.checks import SCALE_MAX, SCALE_MIN, check_option
from analysis.equivalence import tost_p
from analysis.errors import AnalysisError
from analysis.models import dummies, fit_ols

PowerTest = Literal["difference", "equivalence"]
POWER_TESTS: tuple[str, ...] = ("difference", "equivalence")
POWER_COLUMNS = ["n_claims", "raters_per_argument", "n_ratings", "power", "mc_se"]


@dataclass(frozen=True)
class PowerModel:
    """Parameters of the simulated ratings (defaults: the study file's [simulation])."""

    before_sd: float = 1.1
    claim_sd: float = 0.6
    noise_sd: float = 0.8
    argument_sd: float = 0.1
    interaction_sd: float = 0.1
    model_arguments: int = 4  # arguments per claim by the model writer (its strategies)
    human_arguments: int = 3  # human-written arguments per claim
    human_effect: float = 0.3  # the human writers' mean persuasion (the study's true_effect
    # of the reference writer when set, else this default; it matters only near the bounds)


def _ratings(
    rng: np.random.Generator,
    mu: np.ndarray,
    shift: np.ndarray,
    n_args: int,
    raters: int,
    p: PowerModel,
) -> tuple[np.ndarray, np.ndarray]:
    """Before- and after-ratings of one writer (each of shape reps x claims x args x raters)."""
    reps, claims = mu.shape
    quality = rng.normal(0, p.argument_sd, (reps, claims, n_args, 1))
    latent = mu[..., None, None] + rng.normal(0, p.before_sd, (reps, claims, n_args, raters))
    noise = rng.normal(0, p.noise_sd, latent.shape)
    before = np.clip(np.round(latent), SCALE_MIN, SCALE_MAX)
    after = np.clip(
        np.round(latent + shift[..., None, None] + quality + noise), SCALE_MIN, SCALE_MAX
    )
    return before, after


def _ancova_p(
    model: tuple[np.ndarray, np.ndarray],
    human: tuple[np.ndarray, np.ndarray],
    effect: float,
    test: PowerTest,
) -> float:
    """The primary analysis of one simulated study: after ~ writer + C(before) + C(claim), SEs
    clustered by claim (each simulated participant rates one item), t-based; the p-value of
    the difference test, or the TOST p-value against +/- effect."""
    claims = model[0].shape[0]
    parts = [(model, 1.0), (human, 0.0)]
    before = np.concatenate([b.reshape(claims, -1) for (b, _), _ in parts], axis=1).ravel()
    after = np.concatenate([a.reshape(claims, -1) for (_, a), _ in parts], axis=1).ravel()
    writer = np.concatenate(
        [np.full((claims, b.reshape(claims, -1).shape[1]), w) for (b, _), w in parts], axis=1
    ).ravel()
    claim = np.repeat(np.arange(claims), len(after) // claims)
    frame = pd.DataFrame({"claim": claim, "participant": np.arange(len(after))})
    before_x, _ = dummies(pd.Series(before))
    try:
        fit = fit_ols(after, {"model": writer}, [before_x], frame, "claim", 0.95, absorb="claim")
    except ValueError:  # not estimable in this simulated study: no rejection
        return 1.0
    row = fit.table.loc["model"]
    if test == "difference":
        return float(row["p_val"]) if np.isfinite(row["p_val"]) else 1.0
    p_tost = float(tost_p(row["estimate"], row["se"], row["df"], effect)[0])
    return p_tost if np.isfinite(p_tost) else 1.0


def simulate_power(
    n_claims: Sequence[int],
    raters: Sequence[int],
    effect: float,
    model: PowerModel = PowerModel(),
    test: PowerTest = "difference",
    alpha: float = 0.05,
    reps: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulated power for each (claims, raters per argument) pair (see module doc).

    Output columns: n_claims, raters_per_argument, n_ratings (model + human ratings),
    power, mc_se (Monte Carlo standard error of the power).
    """
    check_option("test", test, POWER_TESTS)
    if effect <= 0:
        raise AnalysisError(f"effect={effect!r} must be positive (scale points, e.g. 0.2)")
    bad = [c for c in n_claims if c < 2]
    if bad:
        raise AnalysisError(
            f"n_claims {bad} too small: the claim-level test needs 2 claims or more"
        )
    rng = np.random.default_rng(seed)
    rows = []
    for c in n_claims:
        for r in raters:
            power = _power_one(rng, int(c), int(r), effect, model, test, alpha, reps)
            rows.append(
                {
                    "n_claims": int(c),
                    "raters_per_argument": int(r),
                    "n_ratings": int(c * r * (model.model_arguments + model.human_arguments)),
                    "power": power,
                    "mc_se": float(np.sqrt(power * (1 - power) / reps)),
                }
            )
    return pd.DataFrame(rows, columns=POWER_COLUMNS)


def _power_one(
    rng: np.random.Generator,
    claims: int,
    raters: int,
    effect: float,
    p: PowerModel,
    test: PowerTest,
    alpha: float,
    reps: int,
) -> float:
    mu = np.clip(rng.normal(4, p.claim_sd, (reps, claims)), 2, 6)
    human = np.full((reps, claims), p.human_effect)
    delta = effect if test == "difference" else 0.0
    shift = human + delta + rng.normal(0, p.interaction_sd, (reps, claims))
    model_b, model_a = _ratings(rng, mu, shift, p.model_arguments, raters, p)
    human_b, human_a = _ratings(rng, mu, human, p.human_arguments, raters, p)
    p_vals = [
        _ancova_p((model_b[r], model_a[r]), (human_b[r], human_a[r]), effect, test)
        for r in range(reps)
    ]
    return float(np.mean(np.asarray(p_vals) < alpha))


def smallest_designs(power: pd.DataFrame, target: float = 0.8) -> pd.DataFrame:
    """For each number of raters per argument, the smallest number of claims whose simulated
    power reaches `target` (rows without such a design are left out).
    Columns: raters_per_argument, n_claims, n_ratings, power."""
    ok = power[power["power"] >= target].sort_values(["raters_per_argument", "n_claims"])
    first = ok.groupby("raters_per_argument", as_index=False).first()
    return first[["raters_per_argument", "n_claims", "n_ratings", "power"]]
