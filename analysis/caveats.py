"""Notes on degenerate results: where the data make a number undefined (zero variance, a
writer with no kept ratings, a slope over two points), the number is left blank and a note says
why, so nothing degenerate reaches a table silently.

Each function takes result tables and returns the cleaned table and/or the note text ("" when
there is nothing to say); `analysis.pipeline.analyse` files the notes under their section.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PAIR_BLANKED = ("t", "df", "p_val", "p_fdr")


def dropped_writers(ratings: pd.DataFrame, data: pd.DataFrame, declared: Sequence[str] = ()) -> str:
    """Writers of the study (declared in the study file, or present in `ratings`) that have no
    kept rating, with why: they are in no estimate, contrast or trend."""
    kept = set(data["writer"].astype(str))
    parts = []
    for writer in dict.fromkeys([*map(str, declared), *ratings["writer"].astype(str)]):
        if writer in kept:
            continue
        rows = ratings[ratings["writer"].astype(str) == writer]
        if rows.empty:
            parts.append(f"{writer} (no ratings)")
            continue
        reasons = rows["exclusion"].fillna("").astype(str).value_counts()
        why = ", ".join(f"{n} {r}" for r, n in reasons.items() if r)
        parts.append(f"{writer} ({len(rows)} ratings, all excluded: {why})")
    if not parts:
        return ""
    return (
        f"no kept ratings for {'; '.join(parts)}, so these writers are in no estimate, contrast "
        "or trend; collect (or re-check the exclusions of) their ratings"
    )


def clean_pairwise(pairwise: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Blank t, df and p of pairs whose test is undefined (both writers' argument means without
    variance give t = NaN and a meaningless df) and say which pairs they are."""
    if pairwise.empty or "t" not in pairwise.columns:
        return pairwise, ""
    bad = ~np.isfinite(pairwise["t"].to_numpy(float))
    if not bad.any():
        return pairwise, ""
    out = pairwise.copy()
    for col in PAIR_BLANKED:
        if col in out.columns:
            out.loc[bad, col] = np.nan
    pairs = ", ".join(f"{r.writer_a} vs {r.writer_b}" for r in out[bad].itertuples())
    note = (
        f"the Welch t-test is undefined for {pairs}: the argument means of both writers have no "
        "variance (every argument has the same mean), so t, df and p are left blank"
    )
    return out, note


def scaling_note(scaling: pd.DataFrame) -> str:
    """Slopes without a standard error: model means of two models (n - 2 = 0 df), or no
    variation left (persuasion constant within the class, or means exactly on a line)."""
    if scaling.empty:
        return ""
    blank = scaling[scaling["se"].isna()]
    if blank.empty:
        return ""
    parts = []
    for r in blank.itertuples():
        level = r.level.replace("_", " ")
        two = r.level == "model_means" and r.n_models == 2
        why = "two points leave no degrees of freedom" if two else "no variation is left"
        parts.append(f"{r.model_class} on {level} ({why})")
    return (
        f"no standard error for the slope of {', '.join(parts)}; its interval and test are "
        "left blank"
    )


def starting_note(starting: pd.DataFrame) -> str:
    """Starting ratings without an interval (one rating, or every rating the same)."""
    if starting.empty:
        return ""
    single = starting[starting["ci_low"].isna()]
    if single.empty:
        return ""
    cells = ", ".join(f"{r.writer_kind} at {r.before_toward:g}" for r in single.itertuples())
    return f"no interval (one rating, or all ratings equal) for {cells}"


def blank_note(frame: pd.DataFrame, label: str = "writer") -> str:
    """Rows of a contrast table whose standard error is blank (`fit_ols` blanks a zero SE)."""
    if frame.empty or "se" not in frame.columns:
        return ""
    blank = frame.loc[frame["se"].isna(), label].astype(str).tolist()
    if not blank:
        return ""
    return (
        f"no standard error for {', '.join(blank)}: the data leave no variation to estimate it "
        "from (e.g. every rating the same, or the clustered SE is 0 with few claims); the "
        "intervals and tests are left blank"
    )


def estimate_note(estimates: pd.DataFrame) -> str:
    """Groups whose bootstrap interval is missing (one claim) or has zero width (every rating
    the same persuasion): the interval says nothing about uncertainty there."""
    if estimates.empty:
        return ""
    keys = [c for c in ("writer", "strategy") if c in estimates.columns]
    label = estimates[keys].astype(str).agg("/".join, axis=1)
    one = label[estimates["n_claims"] < 2].tolist()
    flat = label[(estimates["n_claims"] >= 2) & (estimates["ci_low"] == estimates["ci_high"])]
    parts = []
    if one:
        parts.append(f"{', '.join(one)} rated on one claim only, so no interval")
    if len(flat):
        parts.append(
            f"every kept rating of {', '.join(flat)} has the same persuasion, so the "
            "claim-resampling interval has zero width and shows no uncertainty"
        )
    return "; ".join(parts)
