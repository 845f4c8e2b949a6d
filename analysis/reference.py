"""The reference study's own summary (Durmus et al. 2024), for comparison with its figures:
mean persuasion per writer as mean +/- SEM over arguments (each argument's mean over its
raters), and pairwise Welch t-tests between writers on argument means, with Benjamini-Hochberg
FDR correction across all pairs."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.checks import require_columns, require_rows
from analysis.models import adjust_p

SUMMARY_COLUMNS = ["writer", "n_arguments", "n_ratings", "mean_persuasion", "sem"]
PAIR_COLUMNS = ["writer_a", "writer_b", "mean_diff", "t", "df", "p_val", "p_fdr"]


def argument_means(data: pd.DataFrame) -> pd.DataFrame:
    """Mean persuasion per argument, with its writer and number of ratings."""
    require_columns(data, ["writer", "argument", "persuasion"], "argument_means")
    require_rows(data, "argument_means")
    g = data.groupby(["writer", "argument"], sort=False, observed=True)["persuasion"]
    return g.agg(persuasion="mean", n_ratings="count").reset_index()


def reference_summary(data: pd.DataFrame) -> pd.DataFrame:
    """Per writer: number of arguments and ratings, mean over argument means, SEM over
    arguments (SD / sqrt(n_arguments); NaN with one argument). Columns `SUMMARY_COLUMNS`."""
    args = argument_means(data)
    g = args.groupby("writer", sort=False, observed=True)
    out = g.agg(
        n_arguments=("persuasion", "count"),
        n_ratings=("n_ratings", "sum"),
        mean_persuasion=("persuasion", "mean"),
        sd=("persuasion", "std"),
    ).reset_index()
    out["sem"] = out["sd"] / np.sqrt(out["n_arguments"])
    return out[SUMMARY_COLUMNS]


def pairwise_tests(data: pd.DataFrame) -> pd.DataFrame:
    """Welch t-tests on argument means for every pair of writers with at least two arguments
    each, BH-FDR across the pairs. Columns `PAIR_COLUMNS` (mean_diff = a - b)."""
    args = argument_means(data)
    groups = {
        str(w): g["persuasion"].to_numpy(float)
        for w, g in args.groupby("writer", sort=False, observed=True)
        if len(g) >= 2
    }
    rows = []
    for a, b in combinations(groups, 2):
        res = stats.ttest_ind(groups[a], groups[b], equal_var=False)
        rows.append(
            {
                "writer_a": a,
                "writer_b": b,
                "mean_diff": groups[a].mean() - groups[b].mean(),
                "t": float(res.statistic),
                "df": float(res.df),
                "p_val": float(res.pvalue),
            }
        )
    out = pd.DataFrame(rows, columns=PAIR_COLUMNS[:-1])
    p = out["p_val"].to_numpy(float)
    out["p_fdr"] = adjust_p(p, "fdr_bh")
    return out
