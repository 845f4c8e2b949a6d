"""The reference study's own summary (Durmus et al. 2024), for comparison with its figures:
mean persuasion per writer as mean +/- SEM over arguments (each argument's mean over its
raters), and pairwise Welch t-tests between writers on argument means, with Benjamini-Hochberg
FDR correction across all pairs."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pingouin as pg

from analysis.checks import require_columns, require_rows

SUMMARY_COLUMNS = ["writer", "n_arguments", "n_ratings", "mean_persuasion", "sem"]
PAIR_COLUMNS = ["writer_a", "writer_b", "mean_diff", "t", "df", "p_val", "p_fdr", "hedges_g"]


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
    each (pairs in the order the writers appear), BH-FDR across the pairs, and Hedges' g (the
    bias-corrected standardised mean difference, pooled SD). Columns `PAIR_COLUMNS`
    (mean_diff = a - b). A pair whose argument means have no variance on either side has no
    t-test: t, df and p are NaN.

    Computed with pingouin (`ttest(correction=True)`, `compute_effsize(eftype="hedges")`,
    `multicomp(method="fdr_bh")`) behind our column names: pingouin 0.7 renamed its own
    (`p_val`, `CI95`, ...), ours stay."""
    args = argument_means(data)
    groups = {
        str(w): g["persuasion"].to_numpy(float)
        for w, g in args.groupby("writer", sort=False, observed=True)
        if len(g) >= 2
    }
    rows = [_welch(a, groups[a], b, groups[b]) for a, b in combinations(groups, 2)]
    out = pd.DataFrame(rows, columns=[*PAIR_COLUMNS[:-2], "hedges_g"])
    out["p_fdr"] = pg.multicomp(out["p_val"].to_numpy(float), method="fdr_bh")[1]
    return out[PAIR_COLUMNS]


def _welch(a: str, x: np.ndarray, b: str, y: np.ndarray) -> dict[str, object]:
    row: dict[str, object] = {"writer_a": a, "writer_b": b, "mean_diff": x.mean() - y.mean()}
    if np.ptp(x) == 0 and np.ptp(y) == 0:  # no variance on either side: t is undefined
        return row | {"t": np.nan, "df": np.nan, "p_val": np.nan, "hedges_g": np.nan}
    test = pg.ttest(x, y, correction=True).iloc[0]
    return row | {
        "t": float(test["T"]),
        "df": float(test["dof"]),
        "p_val": float(test["p_val"]),
        "hedges_g": float(pg.compute_effsize(x, y, eftype="hedges")),
    }
