"""Claim-resampling bootstrap, vectorised: claim weights x per-claim sums.

A resample draws C claims with replacement from the C claims present; claim c enters it w_c
times. The resample's mean is (w @ S) / (w @ N), with S and N the per-claim sums and counts, so
B resamples cost one (B x C) @ (C x G) product for G groups that share the claims, instead of
B group-bys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.checks import require_columns
from analysis.errors import AnalysisError


def claim_weights(n_claims: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of `n_claims` claims is drawn in each of `n_resamples` resamples
    (shape B x C, rows sum to C): uniform draws with replacement, counted."""
    draws = rng.integers(0, n_claims, size=(n_resamples, n_claims))
    offsets = (np.arange(n_resamples) * n_claims)[:, None]
    counts = np.bincount((draws + offsets).ravel(), minlength=n_resamples * n_claims)
    return counts.reshape(n_resamples, n_claims)


def claim_bootstrap_means(
    data: pd.DataFrame,
    value: str = "persuasion",
    claim: str = "claim",
    n_resamples: int = 10_000,
    rng: np.random.Generator | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Bootstrap distribution of the mean of `value` when claims are resampled with replacement.

    Claims are taken in sorted order; `weights` (B x C, from `claim_weights`) may be passed to
    share one set of resamples between groups on the same claims. With one claim every
    resample is the data itself, so the interval collapses to the mean (nothing to resample).
    Returns an array of length `n_resamples`.
    """
    require_columns(data, [value, claim], "claim_bootstrap_means")
    if data.empty:
        raise AnalysisError(f"no ratings to bootstrap for column {value!r}; check the filters")
    if data[value].isna().any():
        raise AnalysisError(f"column {value!r} has missing values; drop or exclude them first")
    grouped = data.groupby(claim, observed=True, sort=True)[value].agg(["sum", "count"])
    sums = grouped["sum"].to_numpy(float)
    counts = grouped["count"].to_numpy(float)
    if weights is None:
        rng = rng if rng is not None else np.random.default_rng(0)
        weights = claim_weights(len(grouped), n_resamples, rng)
    elif weights.shape != (n_resamples, len(grouped)):
        raise AnalysisError(
            f"weights have shape {weights.shape}; expected ({n_resamples}, {len(grouped)}) "
            "for this data's claims (make them with claim_weights)"
        )
    return (weights @ sums) / (weights @ counts)


def percentile_ci(samples: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap `samples`."""
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return float(low), float(high)
