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
from scipy import stats

from analysis.checks import check_option
from analysis.errors import AnalysisError

Cluster = Literal["auto", "claim", "claim+participant", "none"]
CLUSTERS: tuple[str, ...] = ("auto", "claim", "claim+participant", "none")
ADJUSTMENTS: tuple[str, ...] = ("holm", "fdr_bh")
SE_FLOOR = 1e-10  # scale points: a standard error at or below it is numerically zero


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
    absorb: str | None = None,
) -> Fit:
    """OLS of y on the named `terms`, `nuisance` blocks and either an intercept or the fixed
    effects of column `absorb` (absorbed by within-group demeaning, Frisch-Waugh-Lovell: the
    same coefficients as with one dummy per level, without building them).

    Cluster-robust covariance (CR1, as statsmodels: G/(G-1) * (N-1)/(N-K), K counting the
    absorbed levels); two-way = V_claim + V_participant - V_claim x participant. Inference uses
    t with G - 1 degrees of freedom (G the smallest number of clusters), or N - K unclustered.
    A standard error that is numerically zero is returned as NaN (with t, p and CI NaN).
    Returns the rows of the named terms (and 'Intercept' when nothing is absorbed).
    """
    y, x, names, k_full = _design(y, terms, nuisance, data, absorb)
    n = len(y)
    if n <= k_full:
        raise AnalysisError(
            f"the model has {k_full} parameters but only {n} ratings, so nothing is left to "
            "estimate the error; add ratings (or claims)"
        )
    xtx = x.T @ x
    _check_estimable(xtx, list(terms), 0 if absorb is not None else 1)
    bread = np.linalg.pinv(xtx)
    params = bread @ (x.T @ y)
    resid = y - x @ params
    if cluster == "none":
        cov = bread * (resid @ resid) / (n - k_full)
        df = float(n - k_full)
    else:
        cov, n_groups = _cluster_cov(x, resid, bread, data, cluster, k_full)
        df = float(n_groups - 1)
    k = len(names)
    est = params[:k]
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.diag(cov)[:k])
        # A zero SE (no residual variation between clusters, e.g. every rating the same or
        # two claims with identical means) is not certainty: leave inference blank (NaN).
        se = np.where(se > SE_FLOOR, se, np.nan)
        t = est / se
    return Fit(_inference(est, se, t, df, confidence, names), cluster, n)


def _design(
    y: np.ndarray,
    terms: dict[str, np.ndarray],
    nuisance: list[np.ndarray],
    data: pd.DataFrame,
    absorb: str | None,
) -> tuple[np.ndarray, np.ndarray, list[str], int]:
    """(y, X, names of the reported columns, K counting absorbed levels): an intercept, or
    y and X demeaned within the levels of `absorb`."""
    y = np.asarray(y, float)
    n = len(y)
    names = list(terms)
    blocks = [np.asarray(c, float).reshape(n, -1) for c in terms.values()]
    blocks += [np.asarray(b, float).reshape(n, -1) for b in nuisance]
    if absorb is None:
        x = np.column_stack([np.ones((n, 1)), *blocks])
        return y, x, ["Intercept", *names], x.shape[1]
    codes = pd.factorize(data[absorb])[0]
    x = _demean(np.column_stack(blocks), codes) if blocks else np.zeros((n, 0))
    y = _demean(y.reshape(n, 1), codes)[:, 0]
    return y, x, names, x.shape[1] + codes.max() + 1


def _inference(
    est: np.ndarray, se: np.ndarray, t: np.ndarray, df: float, confidence: float, names: list[str]
) -> pd.DataFrame:
    """The table of estimates with t-based p-values and confidence intervals."""
    q = stats.t.ppf(0.5 + confidence / 2, df)
    return pd.DataFrame(
        {
            "estimate": est,
            "se": se,
            "t": t,
            "df": df,
            "p_val": 2 * stats.t.sf(np.abs(t), df),
            "ci_low": est - q * se,
            "ci_high": est + q * se,
        },
        index=pd.Index(names, name="term"),
    )


def _check_estimable(xtx: np.ndarray, names: list[str], offset: int) -> None:
    """Raise if a named term is not identified (its column is a combination of the others,
    e.g. a writer rated only on claims no other writer was rated on): a pseudo-inverse would
    otherwise return a number for it silently."""
    full = np.linalg.matrix_rank(xtx)
    bad = []
    for j, name in enumerate(names):
        keep = np.delete(np.arange(xtx.shape[0]), offset + j)
        if np.linalg.matrix_rank(xtx[np.ix_(keep, keep)]) == full:
            bad.append(name)
    if bad:
        raise AnalysisError(
            f"{', '.join(bad)} cannot be estimated: confounded with the claims or starting "
            "ratings (e.g. rated only on claims that no other writer was rated on, or with no "
            "variation); add ratings of other writers on the same claims"
        )


def _demean(x: np.ndarray, codes: np.ndarray) -> np.ndarray:
    counts = np.bincount(codes).astype(float)
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        means = np.bincount(codes, weights=x[:, j]) / counts
        out[:, j] = x[:, j] - means[codes]
    return out


def _meat(scores: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, int]:
    n_groups = int(codes.max()) + 1
    sums = np.column_stack(
        [
            np.bincount(codes, weights=scores[:, j], minlength=n_groups)
            for j in range(scores.shape[1])
        ]
    )
    return sums.T @ sums, n_groups


def _cluster_cov(
    x: np.ndarray, resid: np.ndarray, bread: np.ndarray, data: pd.DataFrame, cluster: str, k: int
) -> tuple[np.ndarray, int]:
    n = len(resid)
    scores = x * resid[:, None]
    claim = pd.factorize(data["claim"])[0]
    dims = [claim]
    signs = [1.0]
    if cluster == "claim+participant":
        participant = pd.factorize(data["participant"])[0]
        both = pd.factorize(claim.astype(np.int64) * (participant.max() + 1) + participant)[0]
        dims += [participant, both]
        signs += [1.0, -1.0]
    cov = np.zeros_like(bread)
    sizes = []
    for codes, sign in zip(dims, signs, strict=True):
        meat, g = _meat(scores, codes)
        if sign > 0:
            sizes.append(g)
        if g < 2:
            raise AnalysisError(
                f"clustered standard errors need at least 2 clusters; the data have {g} "
                "claim(s) or participant(s). Add claims, or pass cluster='none'"
            )
        correction = g / (g - 1) * (n - 1) / (n - k)
        cov += sign * correction * (bread @ meat @ bread)
    return cov, min(sizes)


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
