"""Equivalence: two one-sided tests (TOST) and the control-arm check.

TOST for |theta| < bound from an estimate, its standard error and t degrees of freedom:

    p_lower = P(T_df >= (estimate + bound) / se)      (H0: theta <= -bound)
    p_upper = P(T_df <= (estimate - bound) / se)      (H0: theta >= +bound)
    p_tost  = max(p_lower, p_upper)

Equivalence is claimed at level alpha when p_tost < alpha, i.e. when the (1 - 2 alpha) CI lies
inside (-bound, bound) (Schuirmann 1987; Lakens 2017).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.checks import require_columns
from analysis.errors import AnalysisError
from analysis.models import Cluster, fit_ols, resolve_cluster

CONTROL_COLUMNS = [
    "writer",
    "n_ratings",
    "n_claims",
    "mean_persuasion",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p_val",
    "p_tost",
    "equivalent",
    "cluster",
    "note",
]


def tost_p(
    estimate: pd.Series | np.ndarray | float,
    se: pd.Series | np.ndarray | float,
    df: pd.Series | np.ndarray | float,
    bound: float,
) -> np.ndarray:
    """TOST p-values (vectorised). NaN where `bound` is NaN; raises for bound <= 0."""
    if not np.isnan(bound) and bound <= 0:
        raise AnalysisError(
            f"equivalence bound {bound!r} must be positive (the smallest effect of interest, "
            "in scale points, e.g. 0.2)"
        )
    est = np.asarray(estimate, float)
    s = np.asarray(se, float)
    d = np.asarray(df, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lower = stats.t.sf((est + bound) / s, d)
        p_upper = stats.t.cdf((est - bound) / s, d)
    return np.atleast_1d(np.maximum(p_lower, p_upper))


def control_check(
    data: pd.DataFrame,
    smallest_effect: float,
    cluster: Cluster = "auto",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean persuasion of the control arm (arguments against indisputable facts) with a
    claim-clustered t-interval, the test against zero and TOST against +/- `smallest_effect`.

    Returns one row (columns `CONTROL_COLUMNS`), or no rows when the data have no control arm.
    When the clustered SE is 0 (every control rating the same, or claims with identical means)
    se, CI, p_val and p_tost are NaN, `equivalent` False, and `note` says why (else "").
    """
    require_columns(
        data, ["writer_kind", "claim", "participant", "persuasion", "direction"], "control_check"
    )
    rows = data[data["writer_kind"] == "control"]
    if rows.empty:
        return pd.DataFrame(columns=CONTROL_COLUMNS)
    how = resolve_cluster(rows, cluster)
    fit = fit_ols(rows["persuasion"].to_numpy(float), {}, [], rows, how, confidence)
    row = fit.table.loc["Intercept"].copy()
    note = _control_note(rows) if np.isnan(row["se"]) else ""
    p_tost = tost_p(row["estimate"], row["se"], row["df"], smallest_effect)[0]
    return pd.DataFrame(
        [
            {
                "writer": "control",
                "n_ratings": len(rows),
                "n_claims": rows["claim"].nunique(),
                "mean_persuasion": row["estimate"],
                "se": row["se"],
                "df": row["df"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p_val": row["p_val"],
                "p_tost": p_tost,
                "equivalent": bool(p_tost < 1 - confidence),
                "cluster": how,
                "note": note,
            }
        ],
        columns=CONTROL_COLUMNS,
    )


def _control_note(rows: pd.DataFrame) -> str:
    """Why the control arm's SE is blank (`fit_ols` blanks a zero SE)."""
    n, claims = len(rows), rows["claim"].nunique()
    if rows["persuasion"].nunique() == 1:
        why = (
            f"every control rating has persuasion {rows['persuasion'].iloc[0]:g} (no variation "
            f"in {n} ratings on {claims} claims)"
        )
    else:
        why = f"the {claims} control claims have identical mean persuasion (clustered SE 0)"
    return (
        f"{why}, so its uncertainty cannot be estimated: the CI and tests are left blank; "
        "more control claims give an interval"
    )


def tost_interval(contrasts: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The (1 - 2 alpha) t-interval of each contrast, the interval TOST compares with the
    bounds (columns `tost_low`, `tost_high` added)."""
    q = stats.t.ppf(1 - alpha, contrasts["df"].astype(float))
    half = q * contrasts["se"].astype(float)
    return contrasts.assign(
        tost_low=contrasts["estimate"] - half, tost_high=contrasts["estimate"] + half
    )
