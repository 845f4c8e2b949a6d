"""Common: the ground floor under every package — the project's error hierarchy and small
helpers with no domain knowledge (the one CSV guard against formula cells). It imports nothing
of ours."""

from common.csvsafe import frame_to_csv, safe_cell, safe_frame, write_records, write_table
from common.errors import FileInTheWay, MissingFile, PersuasionError, UnknownName, UsageError

__all__ = [
    "FileInTheWay",
    "MissingFile",
    "PersuasionError",
    "UnknownName",
    "UsageError",
    "frame_to_csv",
    "safe_cell",
    "safe_frame",
    "write_records",
    "write_table",
]
