"""The project's error hierarchy.

`PersuasionError` is the base of every error a user or the environment can cause: a bad study
file, an unknown name, a store that cannot be opened, a provider or platform that refuses. Its
message is one line that names the value and the fix; the command line prints it as
`Error: MESSAGE` and exits with code 1. Every package's own errors derive from it. Anything
else that escapes a command is a bug and keeps its traceback.

The subclasses also derive from the built-in exception they refine (`ValueError`,
`LookupError`), so code that catches the built-in keeps working.
"""

from __future__ import annotations


class PersuasionError(Exception):
    """Something a user or the environment caused; `str(error)` is the message to show."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(PersuasionError, ValueError):
    """A value the user passed (an option, a file, a setting) that cannot be used as given."""


class UnknownName(PersuasionError, KeyError):
    """A name the user gave (a claim, a writer, a check) that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return PersuasionError.__str__(self)


class MissingFile(PersuasionError, FileNotFoundError):
    """A file or folder the user named that does not exist."""

    def __str__(self) -> str:
        return PersuasionError.__str__(self)


class FileInTheWay(PersuasionError, FileExistsError):
    """A file the command would write already exists."""

    def __str__(self) -> str:
        return PersuasionError.__str__(self)
