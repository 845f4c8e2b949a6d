"""Cluster-robust OLS on a hand-built design (fast: no formula parsing), shared by the ANCOVA,
the scaling trend and the control check.

Standard errors are clustered by claim, or two-way by claim and participant; inference is
t-based (`use_t=True`, statsmodels then uses G - 1 degrees of freedom, G the smallest number of
clusters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.checks import check_option

Cluster = Literal["auto", "claim", "claim+participant", "none"]
CLUSTERS: tuple[str, ...] = ("auto", "claim", "claim+participant", "none")
ADJUSTMENTS: tuple[str, ...] = ("holm", "fdr_bh")


@dataclass(frozen=True)
class Fit:
    """Coefficients of the named terms with their SE, t, df, p-value and CI."""

    table: pd.DataFrame  # index: term; columns: estimate, se, t, df, p_val, ci_low, ci_high
    cluster: str
    n: int


def dummies(values: pd.Series, reference: object | None = None) -> tuple[np.ndarray, list[str]]:
    """Treatment-coded indicator columns of `values` (the reference level, or the first level
    in sorted order, is left out)."""
    codes, levels = pd.factorize(values, sort=True)
    levels = list(levels)
    ref = levels.index(reference) if reference is not None else 0
    keep = [i for i in range(len(levels)) if i != ref]
    out = np.zeros((len(values), len(keep)))
    for j, i in enumerate(keep):
        out[:, j] = codes == i
    return out, [str(levels[i]) for i in keep]


def resolve_cluster(data: pd.DataFrame, cluster: Cluster) -> str:
    """'auto' is two-way (claim + participant) when some participant rated several items."""
    check_option("cluster", cluster, CLUSTERS)
    if cluster != "auto":
        return cluster
    several = data.groupby("participant", observed=True).size().max() > 1
    return "claim+participant" if several else "claim"


def fit_ols(
    y: np.ndarray,
    terms: dict[str, np.ndarray],
    nuisance: list[np.ndarray],
    data: pd.DataFrame,
    cluster: str,
    confidence: float,
) -> Fit:
    """OLS of y on an intercept, the named `terms` columns and `nuisance` blocks; returns the
    rows of the named terms (and the intercept as 'Intercept')."""
    names = ["Intercept", *terms]
    blocks = [np.ones((len(y), 1)), *(c.reshape(len(y), -1) for c in terms.values()), *nuisance]
    x = np.column_stack(blocks)
    model = sm.OLS(np.asarray(y, float), x)
    if cluster == "none":
        res = model.fit(use_t=True)
    else:
        groups = _groups(data, cluster)
        n_groups = min(len(np.unique(g)) for g in np.atleast_2d(groups.T))
        if n_groups < 2:
            raise ValueError(
                f"clustered standard errors need at least 2 clusters; the data have {n_groups} "
                "claim(s) or participant(s). Add claims, or pass cluster='none'"
            )
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    k = len(names)
    # The claim effects' cluster-robust variances are not estimable when clustering by claim
    # (sqrt of a negative diagonal); only the named terms are reported, so silence that.
    with np.errstate(invalid="ignore"):
        bse = np.asarray(res.bse)[:k]
    params = np.asarray(res.params)[:k]
    ci = np.asarray(res.conf_int(alpha=1 - confidence))[:k]
    table = pd.DataFrame(
        {
            "estimate": params,
            "se": bse,
            "t": np.asarray(res.tvalues)[:k],
            "df": float(res.df_resid_inference or res.df_resid),
            "p_val": np.asarray(res.pvalues)[:k],
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
        },
        index=pd.Index(names, name="term"),
    )
    return Fit(table, cluster, len(y))


def _groups(data: pd.DataFrame, cluster: str) -> np.ndarray:
    claim = pd.factorize(data["claim"])[0]
    if cluster == "claim":
        return claim
    participant = pd.factorize(data["participant"])[0]
    return np.column_stack([claim, participant])


def adjust_p(p: pd.Series | np.ndarray, method: str) -> np.ndarray:
    """Multiplicity-adjusted p-values over the finite entries (NaN stays NaN).

    holm:   p_(i) -> max_{j<=i} min(1, (m - j + 1) p_(j))           (Holm 1979)
    fdr_bh: p_(i) -> min_{j>=i} min(1, m p_(j) / j)                  (Benjamini & Hochberg 1995)

    (statsmodels' multipletests gives the same numbers, checked in the tests, but runs a full
    garbage collection on every call.)
    """
    check_option("method", method, ADJUSTMENTS)
    values = np.asarray(p, float)
    out = np.full(values.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(values))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(values[ok], kind="stable")]
    ranked = values[order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * ranked))
    else:
        adjusted = np.minimum.accumulate(np.minimum(1.0, m * ranked / rank)[::-1])[::-1]
    out[order] = adjusted
    return out
