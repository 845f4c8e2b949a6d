"""Mean persuasion per writer, with claim-resampling bootstrap confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.bootstrap import claim_bootstrap_means, percentile_ci

ESTIMATE_COLUMNS = ["writer", "n_ratings", "n_claims", "mean_persuasion", "ci_low", "ci_high"]


def writer_means(
    data: pd.DataFrame,
    writer: str = "writer",
    value: str = "persuasion",
    claim: str = "claim",
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean persuasion per writer with a percentile bootstrap CI that resamples claims.

    Output columns: writer, n_ratings, n_claims, mean_persuasion, ci_low, ci_high (one row per
    writer, in order of first appearance).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for name, group in data.groupby(writer, sort=False, observed=True):
        samples = claim_bootstrap_means(group, value, claim, n_resamples, rng)
        low, high = percentile_ci(samples, confidence)
        rows.append(
            {
                "writer": name,
                "n_ratings": len(group),
                "n_claims": group[claim].nunique(),
                "mean_persuasion": float(group[value].mean()),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
