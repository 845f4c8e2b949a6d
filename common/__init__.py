"""Common: the ground floor under every package — the project's error hierarchy and small
helpers with no domain knowledge. It imports nothing of ours."""

from common.errors import FileInTheWay, MissingFile, PersuasionError, UnknownName, UsageError

__all__ = ["FileInTheWay", "MissingFile", "PersuasionError", "UnknownName", "UsageError"]
