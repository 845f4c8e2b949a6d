"""Effect sizes for meta-analysis: one row per contrast (a model writer, or a writer x strategy
cell, against the reference writer) and wave, and a random-effects pooling across waves.

Per row, on the persuasion of the kept opinion ratings of that wave:

    raw_diff    = mean(writer) - mean(reference),  raw_se = sqrt(s_w^2 / n_w + s_r^2 / n_r)
    hedges_g    = J * (mean(writer) - mean(reference)) / s_pooled,  J = 1 - 3 / (4 (n_w + n_r) - 9)
                  (pingouin.compute_effsize(..., eftype="hedges"), wrapped: our names stay)
    hedges_g_se = J * sqrt((n_w + n_r) / (n_w n_r) + d^2 / (2 (n_w + n_r))),  d = g / J
                  (Hedges & Olkin 1985; Borenstein et al. 2009, eq. 4.20-4.24)

Ratings are treated as independent (no claim clustering), as meta-analysis packages expect of
a standardised mean difference; the ANCOVA in `contrasts.csv` is the study's own inference.
Moderators: model_class, generation, generation_order, strategy ("all" for a writer's pooled
row), design (items per participant, raters per argument).

Pooling (`pool_waves`): DerSimonian-Laird random effects over the waves of one contrast,
tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)), w = 1 / se^2.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.checks import opinion, require_columns

EFFECT_COLUMNS = [
    "study",
    "contrast",
    "family",
    "writer",
    "strategy",
    "wave",
    "n_writer",
    "n_reference",
    "mean_writer",
    "mean_reference",
    "raw_diff",
    "raw_se",
    "hedges_g",
    "hedges_g_se",
    "model_class",
    "generation",
    "generation_order",
    "design",
    "note",
]
POOLED_COLUMNS = [
    "contrast",
    "k_waves",
    "hedges_g",
    "se",
    "ci_low",
    "ci_high",
    "p_val",
    "tau2",
    "i2",
    "q",
    "p_q",
]


def hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of x against y (bias-corrected standardised mean difference), NaN when the
    pooled SD is 0 or a group has fewer than two values."""
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    pooled = ((len(x) - 1) * np.var(x, ddof=1) + (len(y) - 1) * np.var(y, ddof=1)) / (
        len(x) + len(y) - 2
    )
    if pooled <= 0:
        return float("nan")
    from pingouin import compute_effsize  # heavy import, only when effect sizes are computed

    return float(compute_effsize(x, y, paired=False, eftype="hedges"))


def hedges_g_se(g: float, n_x: int, n_y: int) -> float:
    """The standard error of Hedges' g (see the module doc)."""
    if math.isnan(g):
        return float("nan")
    j = 1 - 3 / (4 * (n_x + n_y) - 9)
    d = g / j
    return j * math.sqrt((n_x + n_y) / (n_x * n_y) + d**2 / (2 * (n_x + n_y)))


def design_label(rows: pd.DataFrame) -> str:
    """How the wave was run: items per participant and raters per argument (medians)."""
    items = rows.groupby("participant", observed=True).size().median()
    raters = rows.groupby("argument", observed=True).size().median()
    return f"pre-post; {items:g} items/participant; {raters:g} raters/argument"


def effect_sizes(data: pd.DataFrame, reference: str = "human") -> pd.DataFrame:
    """One row per contrast and wave (columns `EFFECT_COLUMNS`): every model writer (family
    "primary", strategy "all") and every writer x strategy cell (family "grid") against
    `reference`, within each wave. Empty when no wave has both."""
    require_columns(
        data,
        ["study", "wave", "writer", "writer_kind", "kind", "strategy", "persuasion", "argument"],
        "effect_sizes",
    )
    rows = opinion(data)
    out = []
    for wave, in_wave in rows.groupby("wave", sort=True, observed=True):
        ref = in_wave.loc[in_wave["writer"] == reference, "persuasion"].to_numpy(float)
        if len(ref) == 0:
            continue
        design = design_label(in_wave)
        models = in_wave[in_wave["writer_kind"] == "model"]
        for writer, group in models.groupby("writer", sort=False, observed=True):
            cells = [("all", group)]
            cells += list(group.groupby("strategy", sort=True, observed=True))
            for strategy, cell in cells:
                family = "primary" if strategy == "all" else "grid"
                row = _row(cell, ref, str(writer), str(strategy), reference, family)
                out.append(row | {"wave": int(wave), "design": design})
    return pd.DataFrame(out, columns=EFFECT_COLUMNS)


def _row(
    cell: pd.DataFrame, ref: np.ndarray, writer: str, strategy: str, reference: str, family: str
) -> dict[str, object]:
    x = cell["persuasion"].to_numpy(float)
    g = hedges_g(x, ref)
    raw_se = (
        math.sqrt(np.var(x, ddof=1) / len(x) + np.var(ref, ddof=1) / len(ref))
        if len(x) > 1 and len(ref) > 1
        else float("nan")
    )
    note = ""
    if math.isnan(g):
        note = "no Hedges' g: fewer than two ratings in a group, or no variation in either"
    first = cell.iloc[0]
    name = writer if strategy == "all" else f"{writer}/{strategy}"
    return {
        "study": str(first["study"]),
        "contrast": f"{name} vs {reference}",
        "family": family,
        "writer": writer,
        "strategy": strategy,
        "n_writer": len(x),
        "n_reference": len(ref),
        "mean_writer": float(x.mean()),
        "mean_reference": float(ref.mean()),
        "raw_diff": float(x.mean() - ref.mean()),
        "raw_se": raw_se if raw_se > 0 else float("nan"),
        "hedges_g": g,
        "hedges_g_se": hedges_g_se(g, len(x), len(ref)),
        "model_class": str(first.get("model_class", "")),
        "generation": str(first.get("generation", "")),
        "generation_order": int(first.get("generation_order", 0)),
        "note": note,
    }


def pool_waves(effects: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """DerSimonian-Laird random-effects pooling of Hedges' g across the waves of each primary
    contrast that has two waves or more (columns `POOLED_COLUMNS`; i2 in [0, 1])."""
    rows = []
    primary = effects[(effects["family"] == "primary") & effects["hedges_g_se"].notna()]
    for contrast, group in primary.groupby("contrast", sort=False):
        if len(group) < 2:
            continue
        rows.append({"contrast": contrast, **_dersimonian_laird(group, confidence)})
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)


def _dersimonian_laird(group: pd.DataFrame, confidence: float) -> dict[str, float]:
    g = group["hedges_g"].to_numpy(float)
    v = group["hedges_g_se"].to_numpy(float) ** 2
    w = 1 / v
    fixed = (w * g).sum() / w.sum()
    q = float((w * (g - fixed) ** 2).sum())
    k = len(g)
    c = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (q - (k - 1)) / c)
    w_star = 1 / (v + tau2)
    pooled = float((w_star * g).sum() / w_star.sum())
    se = float(math.sqrt(1 / w_star.sum()))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return {
        "k_waves": k,
        "hedges_g": pooled,
        "se": se,
        "ci_low": pooled - z * se,
        "ci_high": pooled + z * se,
        "p_val": float(2 * stats.norm.sf(abs(pooled / se))),
        "tau2": tau2,
        "i2": max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0,
        "q": q,
        "p_q": float(stats.chi2.sf(q, k - 1)),
    }
