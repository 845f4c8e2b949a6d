"""Every package's errors derive from the one base the command line turns into `Error:` lines."""

import pytest

from analysis.errors import AnalysisError
from arguments import GenerationError
from arguments.types import ProviderError
from claims import ClaimSetError
from common import FileInTheWay, MissingFile, PersuasionError, UnknownName, UsageError
from fieldwork.platforms import PlatformError
from flows.serve import ServerError
from study import StudyFileError
from study.importers.anthropic import AnthropicFormatError
from study.store import NotFoundError, StoreError
from surveys import FormError


@pytest.mark.parametrize(
    "cls",
    [
        AnalysisError,
        AnthropicFormatError,
        ClaimSetError,
        FileInTheWay,
        FormError,
        GenerationError,
        MissingFile,
        NotFoundError,
        PlatformError,
        ProviderError,
        ServerError,
        StoreError,
        StudyFileError,
        UnknownName,
        UsageError,
    ],
)
def test_every_package_error_is_a_persuasion_error(cls: type[Exception]) -> None:
    assert issubclass(cls, PersuasionError)


def test_messages_are_not_quoted_or_prefixed() -> None:
    assert str(UnknownName("no claim 'c9'")) == "no claim 'c9'"
    assert str(MissingFile("study.toml: no such file")) == "study.toml: no such file"
    assert isinstance(MissingFile("x"), FileNotFoundError)
    assert isinstance(UsageError("x"), ValueError)
