"""Writing the tidy ratings table (or any result table) to CSV or Parquet, chosen by suffix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from common import frame_to_csv

FORMATS = (".csv", ".parquet")


def export_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` to `path` as CSV (`.csv`) or Parquet (`.parquet`); returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise AnalysisError(
            f"cannot export to {str(path)!r}: unknown file type {suffix or '(none)'!r}; "
            f"end the file name with one of: {', '.join(FORMATS)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame_to_csv(frame, path)
    else:
        frame.to_parquet(path, index=False)
    return path
