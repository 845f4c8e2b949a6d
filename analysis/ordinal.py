"""Ordinal robustness check: a proportional-odds (ordered logit) model of the after-rating,

    logit P(after <= k) = c_k - (beta_writer + gamma_C(before)),

on opinion claims (ratings mirrored toward the argument), with the reference writer left out.
A positive `log_odds` means the writer's readers end higher on the scale (closer to the argument)
than the reference writer's readers with the same starting rating.

The covariates are discrete, so the likelihood is evaluated on the counts of the distinct
(writer, before, after) cells: the same maximum likelihood estimate as the rating-level model
(statsmodels' OrderedModel, checked in the tests), in milliseconds at any number of ratings.
Standard errors come from the inverse Hessian (model-based, not clustered by claim, and without
claim effects: a robustness check of the primary ANCOVA, not a replacement for it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.tools.numdiff import approx_hess

from analysis.checks import opinion, require_columns, require_rows, toward
from analysis.errors import AnalysisError
from analysis.models import dummies

ORDINAL_COLUMNS = ["writer", "n_ratings", "log_odds", "se", "ci_low", "ci_high", "p_val"]


def ordinal_contrasts(
    data: pd.DataFrame, reference: str = "human", confidence: float = 0.95
) -> pd.DataFrame:
    """Proportional-odds log-odds ratio of each writer against `reference` (see module doc).

    Output columns: writer, n_ratings, log_odds, se, ci_low, ci_high, p_val (Wald z).
    """
    require_columns(
        data, ["writer", "writer_kind", "kind", "before", "after", "direction"], "ordinal"
    )
    rows = toward(opinion(data))
    require_rows(rows, "ordinal_contrasts")
    if reference not in set(rows["writer"]):
        raise AnalysisError(
            f"reference={reference!r} has no ratings on opinion claims; choose one of: "
            f"{', '.join(sorted(map(str, set(rows['writer']))))}"
        )
    cells = (
        rows.groupby(["writer", "before_toward", "after_toward"], observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    levels = np.sort(cells["after_toward"].unique())
    if len(levels) < 2:
        raise AnalysisError(
            "ordinal_contrasts: every after-rating is the same "
            f"({levels[0] if len(levels) else 'none'}); an ordinal model needs two levels or more"
        )
    y = np.searchsorted(levels, cells["after_toward"].to_numpy())
    writer_x, names = dummies(cells["writer"], reference)
    if not names:
        raise AnalysisError(f"ordinal_contrasts needs a writer besides {reference!r}")
    before_x, _ = dummies(cells["before_toward"])
    x = np.column_stack([writer_x, before_x])
    weights = cells["count"].to_numpy(float)
    params, cov = _fit(x, y, weights, len(levels))
    k = len(levels) - 1
    beta = params[k : k + len(names)]
    with np.errstate(invalid="ignore"):  # a non-positive variance gives NaN, not a number
        se = np.sqrt(np.diag(cov)[k : k + len(names)])
    q = stats.norm.ppf(0.5 + confidence / 2)
    counts = rows["writer"].astype(str).value_counts()
    return pd.DataFrame(
        {
            "writer": names,
            "n_ratings": [int(counts[n]) for n in names],
            "log_odds": beta,
            "se": se,
            "ci_low": beta - q * se,
            "ci_high": beta + q * se,
            "p_val": 2 * stats.norm.sf(np.abs(beta / se)),
        },
        columns=ORDINAL_COLUMNS,
    )


def _cutpoints(theta: np.ndarray, k: int) -> np.ndarray:
    return np.cumsum(np.concatenate([theta[:1], np.exp(theta[1:k])]))


def _nll(theta: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray, k: int) -> float:
    cuts = np.concatenate([[-np.inf], _cutpoints(theta, k), [np.inf]])
    eta = x @ theta[k:]
    upper = special.expit(cuts[y + 1] - eta)
    lower = special.expit(cuts[y] - eta)
    return float(-(w * np.log(np.clip(upper - lower, 1e-300, None))).sum())


def _fit(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, n_levels: int
) -> tuple[np.ndarray, np.ndarray]:
    k = n_levels - 1
    share = np.bincount(y, weights=w, minlength=n_levels).cumsum()[:-1] / w.sum()
    start_cuts = special.logit(np.clip(share, 1e-3, 1 - 1e-3))
    steps = np.log(np.maximum(np.diff(start_cuts), 1e-3))
    theta0 = np.concatenate([start_cuts[:1], steps, np.zeros(x.shape[1])])
    res = optimize.minimize(_nll, theta0, args=(x, y, w, k), method="BFGS")
    if not np.all(np.isfinite(res.x)):
        raise AnalysisError("the ordinal model did not converge; check for empty writer groups")
    # Covariance on the natural scale (cutpoints, betas): delta method for the log-steps.
    hess = approx_hess(res.x, _nll, args=(x, y, w, k))
    cov_theta = np.linalg.pinv(hess)
    jac = np.eye(len(res.x))
    cuts_jac = np.tril(np.ones((k, k))) * np.concatenate([[1.0], np.exp(res.x[1:k])])
    jac[:k, :k] = cuts_jac
    params = np.concatenate([_cutpoints(res.x, k), res.x[k:]])
    return params, jac @ cov_theta @ jac.T
