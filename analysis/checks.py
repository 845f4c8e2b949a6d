"""Input checks shared by the estimators: required columns, enumerated options, scale helpers.

Every check raises ValueError naming the offending value and the fix (never `assert`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.errors import AnalysisError

SCALE_MIN, SCALE_MAX = 1, 7
SCALE_MID = (SCALE_MIN + SCALE_MAX) / 2


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise if `data` lacks any of `columns`."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise AnalysisError(
            f"{what} needs column(s) {', '.join(missing)}; the data has: "
            f"{', '.join(map(str, data.columns))}. Build it with analysis.ratings_table "
            "or rename your columns"
        )


def check_option(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise if `value` is not one of `allowed` (the runtime check behind a Literal type)."""
    if value not in allowed:
        raise AnalysisError(
            f"{name}={value!r} is not allowed; allowed: {', '.join(map(repr, allowed))}"
        )


def require_rows(data: pd.DataFrame, what: str) -> None:
    if data.empty:
        raise AnalysisError(f"{what}: no ratings to analyse; check the filters and exclusions")


def require_no_missing(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    for col in columns:
        n = int(data[col].isna().sum())
        if n:
            raise AnalysisError(
                f"{what}: column {col!r} has {n} missing value(s); drop or exclude those "
                "ratings first (analysis.kept keeps only complete, non-excluded ratings)"
            )


def toward(data: pd.DataFrame) -> pd.DataFrame:
    """Add `before_toward` and `after_toward`: the ratings on the scale mirrored so that higher
    always means "closer to the argument" (unchanged for direction +1, 8 - r for direction -1).
    Then `after_toward - before_toward == persuasion`."""
    direction = data["direction"].astype(float)
    mid = SCALE_MID
    return data.assign(
        before_toward=mid + direction * (data["before"].astype(float) - mid),
        after_toward=mid + direction * (data["after"].astype(float) - mid),
    )


def opinion(data: pd.DataFrame) -> pd.DataFrame:
    """Ratings of opinion claims by model and human writers (the control arm set aside)."""
    return data[(data["kind"] != "control") & (data["writer_kind"] != "control")]
