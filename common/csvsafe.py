"""The one guard of every CSV the project writes against formula injection.

A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (`=HYPERLINK(…)` in a participant's or writer's text would be live). OWASP's rule: prefix
such a text cell with a single quote. Only text cells are changed; numbers (a persuasion of -1)
stay numbers, so numeric columns read back as numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with a leading single quote if it is text that a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_record(record: Mapping[str, Any]) -> dict[str, Any]:
    return {name: safe_cell(value) for name, value in record.items()}


def write_records(
    handle: IO[str], fieldnames: Sequence[str], records: Iterable[Mapping[str, Any]]
) -> int:
    """Write a header and the records as CSV to an open text handle (opened with newline="");
    returns the row count. Rows end in CRLF (RFC 4180), so a cell holding a CR or LF is
    quoted."""
    writer = csv.DictWriter(handle, fieldnames=list(fieldnames), lineterminator="\r\n")
    writer.writeheader()
    n = 0
    for record in records:
        writer.writerow(safe_record(record))
        n += 1
    return n


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are neutralised (numeric columns untouched)."""
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(safe_cell)
    return out


def frame_to_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a data frame as CSV (no index), text cells neutralised."""
    path = Path(path)
    safe_frame(frame).to_csv(path, index=False)
    return path


def write_table(path: Path, columns: Sequence[str], records: Sequence[Mapping[str, Any]]) -> None:
    """Write records to `path` as JSON lines (`.jsonl`) or as a formula-safe CSV (any other
    suffix; callers check the suffix and name the file in their own error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_records(handle, columns, records)
