"""Scaling across model generations, within each model class.

Two levels, both reported (a trend over the models tested, not a law):
- ratings:     persuasion ~ generation_order + C(claim) on the class's model ratings (opinion
               claims), standard errors clustered as in the primary analysis;
- model means: the models' mean persuasion regressed on generation order by plain OLS (n models,
               n - 2 degrees of freedom; with two models, or means exactly on a line, the slope
               has no standard error: NaN).

Output columns: model_class, level, n_models, n, slope, se, df, ci_low, ci_high, p_val.
Classes with fewer than two generations are left out. The trend is over static messages only
(when the data have a `format` column): a conversation arm is a different treatment, compared
with its own model's static arm in `analysis.conversations`, not a generation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.checks import opinion, require_columns
from analysis.models import SE_FLOOR, Cluster, fit_ols, resolve_cluster

SCALING_COLUMNS = [
    "model_class",
    "level",
    "n_models",
    "n",
    "slope",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p_val",
]


def scaling_trend(
    data: pd.DataFrame, cluster: Cluster = "auto", confidence: float = 0.95
) -> pd.DataFrame:
    """Slope of persuasion on generation order within each model class (see module doc)."""
    require_columns(
        data,
        ["writer", "writer_kind", "kind", "model_class", "generation_order", "claim", "persuasion"],
        "scaling_trend",
    )
    models = opinion(data)
    models = models[models["writer_kind"] == "model"]
    if "format" in models.columns:
        models = models[models["format"] != "conversation"]
    rows = []
    for model_class, group in models.groupby("model_class", sort=True, observed=True):
        n_models = group["generation_order"].nunique()
        if n_models < 2:
            continue
        rows.append(_rating_level(group, str(model_class), n_models, cluster, confidence))
        rows.append(_mean_level(group, str(model_class), n_models, confidence))
    return pd.DataFrame(rows, columns=SCALING_COLUMNS)


def _rating_level(
    group: pd.DataFrame, model_class: str, n_models: int, cluster: Cluster, confidence: float
) -> dict[str, object]:
    how = resolve_cluster(group, cluster)
    order = group["generation_order"].to_numpy(float)
    fit = fit_ols(
        group["persuasion"].to_numpy(float), {"order": order}, [], group, how, confidence, "claim"
    )
    row = fit.table.loc["order"]
    return {
        "model_class": model_class,
        "level": "ratings",
        "n_models": n_models,
        "n": len(group),
        "slope": row["estimate"],
        **{k: row[k] for k in ("se", "df", "ci_low", "ci_high", "p_val")},
    }


def _mean_level(
    group: pd.DataFrame, model_class: str, n_models: int, confidence: float
) -> dict[str, object]:
    means = group.groupby("generation_order", observed=True)["persuasion"].mean()
    x = means.index.to_numpy(float)
    y = means.to_numpy(float)
    slope = float(np.polyfit(x, y, 1)[0])
    df = len(x) - 2
    se = ci_low = ci_high = p = float("nan")
    if df > 0 and stats.linregress(x, y).stderr > SE_FLOOR:
        fit = stats.linregress(x, y)
        se = float(fit.stderr)
        q = stats.t.ppf(0.5 + confidence / 2, df)
        ci_low, ci_high = slope - q * se, slope + q * se
        p = float(fit.pvalue)
    return {
        "model_class": model_class,
        "level": "model_means",
        "n_models": n_models,
        "n": len(x),
        "slope": slope,
        "se": se,
        "df": float(df),
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_val": p,
    }
