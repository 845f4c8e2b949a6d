"""What a provider receives and returns: one narrow interface for every model service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from common import PersuasionError


@dataclass(frozen=True)
class GenerationRequest:
    """One request to a model: system and user text, a token bound, and extra parameters.

    `key` is the stable request key (also the batch custom_id); `params` carries what the
    offline and replay providers need (claim text and key, writer, strategy, word range).
    `messages` is a conversation so far, as (role, text) pairs with role "user" or
    "assistant", ending with the user's message; when given, it is sent instead of `user`."""

    key: str
    model: str
    system: str
    user: str
    max_tokens: int
    params: dict[str, Any] = field(default_factory=dict)
    messages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Completion:
    """A model's answer: text, why it stopped, and token usage."""

    text: str
    stop_reason: str
    input_tokens: int
    output_tokens: int
    placeholder: bool = False


class ProviderError(PersuasionError):
    """A request that failed. `retryable` errors (429, 529, 5xx, timeouts) are retried by the
    wrapper, honouring `retry_after` (seconds) when the service sent one. `maybe_billed` is
    True when the request may have been processed (a timeout, a connection lost mid-answer):
    its outcome is unknown. `fix` is what the user should do when the error stops a run."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
        maybe_billed: bool = False,
        fix: str = "",
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.maybe_billed = maybe_billed
        self.fix = fix


@dataclass(frozen=True)
class ProviderConfig:
    """Settings a provider may use; each provider reads only what it needs."""

    timeout_seconds: float = 120.0
    replay_file: str = ""
    api_key: str | None = None
    base_url: str | None = None


class ModelProvider(Protocol):
    """A model service. `generate` sends one request and returns one completion or raises
    ProviderError; providers never retry (the wrapper in arguments.dispatch does)."""

    name: str

    async def generate(self, request: GenerationRequest) -> Completion: ...

    async def count_tokens(self, request: GenerationRequest) -> int: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class BatchStatus:
    """A submitted batch: `ended` once results can be collected."""

    id: str
    ended: bool
    counts: dict[str, int] = field(default_factory=dict)
    created_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@runtime_checkable
class BatchProvider(Protocol):
    """A provider that also speaks a batch API (submit, poll, collect)."""

    async def submit_batch(self, requests: list[GenerationRequest]) -> str: ...

    async def poll_batch(self, batch_id: str) -> BatchStatus: ...

    async def batch_results(self, batch_id: str) -> dict[str, Completion | ProviderError]: ...

    async def list_batches(self, since: datetime) -> list[BatchStatus]:
        """The account's batches created at or after `since`, newest first."""
        ...
