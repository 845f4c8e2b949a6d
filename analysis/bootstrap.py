"""Claim-resampling bootstrap, vectorised: claim weights x per-claim sums."""

from __future__ import annotations

import numpy as np
import pandas as pd


def claim_bootstrap_means(
    data: pd.DataFrame,
    value: str = "persuasion",
    claim: str = "claim",
    n_resamples: int = 10_000,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Bootstrap distribution of the mean of `value` when claims are resampled with replacement.

    Each resample draws C claims from the C claims present (multinomial counts W, shape B x C);
    its mean is (W @ S) / (W @ N) with S and N the per-claim sums and counts, so the cost is
    one matrix product instead of B group-bys. Returns an array of length `n_resamples`.
    """
    if data.empty:
        raise ValueError(f"no ratings to bootstrap for column {value!r}; check the filters")
    if data[value].isna().any():
        raise ValueError(f"column {value!r} has missing values; drop or exclude them first")
    rng = rng if rng is not None else np.random.default_rng(0)
    grouped = data.groupby(claim, observed=True)[value].agg(["sum", "count"])
    sums = grouped["sum"].to_numpy(float)
    counts = grouped["count"].to_numpy(float)
    n_claims = len(grouped)
    weights = rng.multinomial(n_claims, np.full(n_claims, 1.0 / n_claims), size=n_resamples)
    return (weights @ sums) / (weights @ counts)


def percentile_ci(samples: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return float(low), float(high)
