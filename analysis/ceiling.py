"""Ceiling and floor: persuasion by starting rating, and the sensitivity analysis without the
ratings that start at the bound the argument pushes toward (they cannot move toward it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.checks import SCALE_MAX, opinion, require_columns, toward

START_COLUMNS = [
    "writer_kind",
    "before_toward",
    "n_ratings",
    "mean_persuasion",
    "ci_low",
    "ci_high",
    "max_possible",
]


def by_starting_rating(data: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean persuasion by writer kind and starting rating (on the toward-the-argument scale,
    so 7 = already fully on the argument's side), with a normal-theory t-interval over ratings
    (descriptive; not clustered; NaN for one rating or ratings all equal).
    `max_possible` = 7 - before_toward.

    Output columns: writer_kind, before_toward, n_ratings, mean_persuasion, ci_low, ci_high,
    max_possible.
    """
    require_columns(data, ["writer_kind", "before", "after", "direction"], "by_starting_rating")
    rows = toward(data)
    g = rows.groupby(["writer_kind", "before_toward"], observed=True)["persuasion"]
    out = g.agg(n_ratings="count", mean_persuasion="mean", sd="std").reset_index()
    sem = out["sd"] / np.sqrt(out["n_ratings"])
    q = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n_ratings"] - 1, 1))
    has_ci = (out["n_ratings"] > 1) & (out["sd"] > 0)  # one rating, or all equal: no interval
    out["ci_low"] = np.where(has_ci, out["mean_persuasion"] - q * sem, np.nan)
    out["ci_high"] = np.where(has_ci, out["mean_persuasion"] + q * sem, np.nan)
    out["max_possible"] = SCALE_MAX - out["before_toward"]
    return out[START_COLUMNS]


def without_bound(data: pd.DataFrame) -> pd.DataFrame:
    """The opinion ratings that did not start at the bound the argument pushes toward
    (before_toward < 7); the input of the sensitivity analysis."""
    rows = toward(opinion(data))
    return rows[rows["before_toward"] < SCALE_MAX].drop(columns=["before_toward", "after_toward"])
