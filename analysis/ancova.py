"""The primary analysis: ANCOVA by OLS with cluster-robust, t-based inference.

    after ~ writer (reference: human) + C(before) + C(claim)

on opinion claims, with ratings mirrored so that higher means "toward the argument"
(`analysis.checks.toward`; identical to the raw ratings when every direction is +1). Standard
errors are clustered by claim, two-way with participant when participants rate several items.
Model-vs-reference contrasts are Holm-adjusted (pre-registered family); the model x strategy grid
is Benjamini-Hochberg-adjusted (exploratory family). Each contrast also gets a TOST p-value
against the smallest effect of interest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.checks import opinion, require_columns, require_no_missing, require_rows, toward
from analysis.equivalence import tost_p
from analysis.errors import AnalysisError
from analysis.models import Cluster, adjust_p, dummies, fit_ols, resolve_cluster

CONTRAST_COLUMNS = [
    "writer",
    "n_ratings",
    "estimate",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p_val",
    "p_holm",
    "p_tost",
    "equivalent",
    "std_effect",
    "cluster",
]
NEEDED = ["claim", "participant", "writer", "writer_kind", "kind", "before", "after", "direction"]


def ancova_contrasts(
    data: pd.DataFrame,
    reference: str = "human",
    term: str = "writer",
    smallest_effect: float | None = None,
    cluster: Cluster = "auto",
    confidence: float = 0.95,
    adjust: str = "holm",
) -> pd.DataFrame:
    """Adjusted difference in after-rating of each level of `term` from `reference`.

    `term` is a column of `data` (``"writer"`` for the primary contrasts; ``"cell"`` from
    `strategy_cells` for the grid). `adjust` is a statsmodels multipletests method (``"holm"``
    or ``"fdr_bh"``); its result is in `p_holm` (holm) or `p_bh` (fdr_bh). `p_tost` is the TOST
    p-value for |difference| < `smallest_effect` (NaN when not given); `equivalent` is
    p_tost < 1 - confidence. `std_effect` is estimate / SD(before).

    Output columns: `term`, n_ratings, estimate, se, df, ci_low, ci_high, p_val, p_holm|p_bh,
    p_tost, equivalent, std_effect, cluster. Rows in order of first appearance of each level.
    """
    require_columns(data, [*NEEDED, term], "ancova_contrasts")
    rows = toward(opinion(data))
    levels = _levels(rows, term, reference)
    how = resolve_cluster(rows, cluster)
    writer_x, names = dummies(rows[term], reference)
    before_x, _ = dummies(rows["before_toward"])
    fit = fit_ols(
        rows["after_toward"].to_numpy(float),
        {n: writer_x[:, j] for j, n in enumerate(names)},
        [before_x],
        rows,
        how,
        confidence,
        absorb="claim",
    )
    table = fit.table
    counts = rows[term].astype(str).value_counts()
    out = pd.DataFrame(
        {
            term: table.index,
            "n_ratings": [int(counts[n]) for n in table.index],
            **{c: table[c].to_numpy() for c in ("estimate", "se", "df", "ci_low", "ci_high")},
            "p_val": table["p_val"].to_numpy(),
        }
    )
    p_name = "p_holm" if adjust == "holm" else "p_bh"
    out[p_name] = adjust_p(out["p_val"], adjust)
    bound = float("nan") if smallest_effect is None else smallest_effect
    out["p_tost"] = tost_p(out["estimate"], out["se"], out["df"], bound)
    out["equivalent"] = out["p_tost"] < 1 - confidence
    sd = float(rows["before"].astype(float).std(ddof=1))
    out["std_effect"] = out["estimate"] / sd if sd > 0 else np.nan
    out["cluster"] = how
    order = {str(level): i for i, level in enumerate(levels)}
    out = out.sort_values(term, key=lambda s: s.map(order)).reset_index(drop=True)
    return out[[term, *(c if c != "p_holm" else p_name for c in CONTRAST_COLUMNS[1:])]]


def _levels(rows: pd.DataFrame, term: str, reference: str) -> list[object]:
    """The levels of `term` in order of first appearance, after checking that the rows can
    give contrasts against `reference`."""
    require_rows(rows, "ancova_contrasts")
    require_no_missing(rows, ["before", "after", term], "ancova_contrasts")
    levels = list(pd.unique(rows[term]))
    if reference not in levels:
        shown = ", ".join(map(str, levels[:10])) + (", ..." if len(levels) > 10 else "")
        raise AnalysisError(
            f"reference={reference!r} has no ratings on opinion claims; choose one of: {shown}"
        )
    if len(levels) < 2:
        raise AnalysisError(f"ancova_contrasts needs a level of {term!r} besides {reference!r}")
    if rows["after_toward"].nunique() < 2:
        raise AnalysisError(
            f"ancova_contrasts: every after-rating is {rows['after_toward'].iloc[0]:g} (on the "
            "toward-the-argument scale), so differences between writers cannot be estimated; "
            "check the ratings (all at the scale's bound?)"
        )
    return levels


def strategy_cells(data: pd.DataFrame, reference: str = "human") -> pd.DataFrame:
    """Add a `cell` column: ``writer/strategy`` for model writers, the writer otherwise (so the
    reference stays one level)."""
    model = data["writer_kind"] == "model"
    cell = (
        data["writer"]
        .astype(str)
        .where(~model, data["writer"].astype(str) + "/" + data["strategy"].astype(str))
    )
    return data.assign(cell=cell)


def strategy_grid(
    data: pd.DataFrame,
    reference: str = "human",
    smallest_effect: float | None = None,
    cluster: Cluster = "auto",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The exploratory model x strategy grid: each writer/strategy cell against the reference,
    Benjamini-Hochberg across the grid. Columns as `ancova_contrasts` with `cell` and `p_bh`,
    plus `writer` and `strategy`."""
    cells = strategy_cells(data, reference)
    out = ancova_contrasts(
        cells, reference, "cell", smallest_effect, cluster, confidence, adjust="fdr_bh"
    )
    split = out["cell"].str.split("/", n=1, expand=True)
    out.insert(1, "writer", split[0])
    out.insert(2, "strategy", split[1] if split.shape[1] > 1 else "")
    return out
