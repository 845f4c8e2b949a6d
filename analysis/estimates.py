"""Descriptive estimates: mean persuasion per writer (and writer x strategy) with claim-resampling
bootstrap confidence intervals, exclusion counts, and effects standardised by the before-rating SD.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.bootstrap import claim_bootstrap_means, claim_weights, percentile_ci
from analysis.checks import require_columns, require_no_missing

ESTIMATE_COLUMNS = [
    "writer",
    "n_ratings",
    "n_claims",
    "mean_persuasion",
    "ci_low",
    "ci_high",
    "sd",
    "std_effect",
]


def writer_means(
    data: pd.DataFrame,
    writer: str | Sequence[str] = "writer",
    value: str = "persuasion",
    claim: str = "claim",
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
    scale_sd: float | None = None,
) -> pd.DataFrame:
    """Mean persuasion per writer with a percentile bootstrap CI that resamples claims.

    `writer` may name several columns (e.g. ``["writer", "strategy"]``): one row per
    combination. Each group's claims are resampled with replacement (vectorised, see
    `claim_bootstrap_means`). `std_effect` is mean / `scale_sd` (the SD of the before-ratings;
    computed from `data["before"]` when not given and present, else NaN).

    Output columns: the grouping column(s), n_ratings, n_claims, mean_persuasion, ci_low,
    ci_high, sd (of the ratings), std_effect; one row per group in order of first appearance.
    Groups on the same claims share one set of claim resamples. A group with one claim has no
    interval (ci_low, ci_high NaN: resampling one claim only returns the data).
    """
    keys = [writer] if isinstance(writer, str) else list(writer)
    require_columns(data, [*keys, value, claim], "writer_means")
    require_no_missing(data, [value], "writer_means")
    if scale_sd is None:
        scale_sd = before_sd(data) if "before" in data.columns else float("nan")
    rng = np.random.default_rng(seed)
    shared: dict[tuple[object, ...], np.ndarray] = {}  # one set of resamples per claim set
    rows = []
    for name, group in data.groupby(keys, sort=False, observed=True):
        claims = tuple(sorted(group[claim].unique()))
        if claims not in shared:
            shared[claims] = claim_weights(len(claims), n_resamples, rng)
        samples = claim_bootstrap_means(group, value, claim, n_resamples, weights=shared[claims])
        low, high = percentile_ci(samples, confidence) if len(claims) > 1 else (np.nan, np.nan)
        mean = float(group[value].mean())
        labels = dict(zip(keys, name, strict=True))
        rows.append(
            labels
            | {
                "n_ratings": len(group),
                "n_claims": group[claim].nunique(),
                "mean_persuasion": mean,
                "ci_low": low,
                "ci_high": high,
                "sd": float(group[value].std(ddof=1)) if len(group) > 1 else float("nan"),
                "std_effect": mean / scale_sd if scale_sd > 0 else float("nan"),
            }
        )
    columns = [*keys, *ESTIMATE_COLUMNS[1:]]
    return pd.DataFrame(rows, columns=columns)


def before_sd(data: pd.DataFrame) -> float:
    """The SD of the before-ratings (the scale by which effects are standardised)."""
    values = data["before"].dropna().astype(float)
    return float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def exclusion_counts(ratings: pd.DataFrame) -> pd.DataFrame:
    """Ratings per writer: total, kept, and excluded by reason (one column per reason).

    Output columns: writer, n_total, n_kept, n_excluded, then one column per exclusion reason.
    """
    require_columns(ratings, ["writer", "exclusion"], "exclusion_counts")
    reason = ratings["exclusion"].fillna("").astype(str)
    table = pd.crosstab(ratings["writer"], reason.where(reason != "", "kept"))
    if "kept" not in table.columns:
        table["kept"] = 0
    reasons = sorted(c for c in table.columns if c != "kept")
    out = pd.DataFrame(
        {
            "writer": table.index.astype(str),
            "n_total": table.sum(axis=1).to_numpy(),
            "n_kept": table["kept"].to_numpy(),
        }
    )
    out["n_excluded"] = out["n_total"] - out["n_kept"]
    for r in reasons:
        out[r] = table[r].to_numpy()
    return out.reset_index(drop=True)


def waves_by_writer(data: pd.DataFrame) -> dict[str, str]:
    """For each writer, the waves its ratings in `data` come from, e.g. {"compact-1": "1,2"}."""
    return {
        str(writer): ",".join(str(w) for w in sorted({int(x) for x in group["wave"]}))
        for writer, group in data.groupby("writer", observed=True)
    }
