"""The `anthropic` provider: Claude through the official SDK (Messages and Message Batches).

Pure converters (request building, response parsing, error classification) are separate
from the thin I/O class so they can be tested without a network. The SDK's own retries are
switched off (max_retries=0): retries, rate limits and cost live in arguments.dispatch.
The SDK reads ANTHROPIC_BASE_URL, which is how tests point it at a loopback stand-in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import anthropic
import httpx

from arguments.errors import GenerationError
from arguments.types import (
    BatchStatus,
    Completion,
    GenerationRequest,
    ProviderConfig,
    ProviderError,
)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
DEFAULT_URL = "https://api.anthropic.com"
STATUS_FIX = {
    401: "check ANTHROPIC_API_KEY (the API rejected the key)",
    403: "check the key's permissions and its workspace",
    404: "check the writer's model id in the study file, and ANTHROPIC_BASE_URL if it is set",
}
MISSING_KEY = (
    "ANTHROPIC_API_KEY is not set; export your API key (export ANTHROPIC_API_KEY=sk-...) "
    'or use an offline model (model = "offline/NAME") to try the pipeline without one'
)


def message_params(request: GenerationRequest, model: str) -> dict[str, Any]:
    """The Messages API parameters for a request (pure)."""
    params: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_tokens,
        "messages": [{"role": "user", "content": request.user}],
    }
    if request.messages:
        params["messages"] = [{"role": r, "content": t} for r, t in request.messages]
    if request.system:
        params["system"] = request.system
    return params


def completion_from(message: Any) -> Completion:
    """A Completion from an SDK Message (or a dict of the same shape)."""
    data = message if isinstance(message, Mapping) else message.model_dump()
    text = "".join(b.get("text", "") for b in data.get("content", []) if b.get("type") == "text")
    usage = data.get("usage") or {}
    return Completion(
        text=text.strip(),
        stop_reason=str(data.get("stop_reason") or ""),
        input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds), if present."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            continue
    return None


def base_url(configured: str | None) -> str:
    """The API's base URL (the configured one, else ANTHROPIC_BASE_URL, else the default),
    refused with the fix when it is not an http(s) URL."""
    url = configured or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GenerationError(
            f"ANTHROPIC_BASE_URL {url!r} is not an http(s) URL; set it like {DEFAULT_URL} "
            "(or unset it to use the Anthropic API)"
        )
    return url.rstrip("/")


def classify(exc: Exception, *, model: str = "", url: str = DEFAULT_URL) -> ProviderError:
    """Map an SDK exception to a ProviderError: 429, 529, 5xx and timeouts are retryable;
    other 4xx errors will not change on a retry. A rejected key, an unknown model and an
    unreachable API carry the fix (they stop the run); a timeout or a connection lost after
    sending may have been billed."""
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        headers = exc.response.headers
        should = headers.get("x-should-retry")
        retryable = status in RETRYABLE_STATUS or status >= 500
        if should in ("true", "false"):
            retryable = should == "true"
        what = f"model {model!r}: " if status == 404 and model else ""
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        detail = (
            f"{error.get('type', 'error')}: {error.get('message', '')}" if error else exc.message
        )
        return ProviderError(
            f"{what}HTTP {status} from {url} ({detail})",
            retryable=retryable,
            retry_after=retry_after(headers),
            status=status,
            fix=STATUS_FIX.get(status, ""),
        )
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError(
            f"no answer from {url} in time ({type(exc).__name__})",
            retryable=True,
            maybe_billed=True,
            fix="try again later, or raise generation.timeout_seconds in the study file",
        )
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__
        unsent = isinstance(cause, httpx.ConnectError | httpx.UnsupportedProtocol)
        return ProviderError(
            f"cannot reach the model API at {url} ({type(cause or exc).__name__}: {cause or exc})",
            retryable=True,
            maybe_billed=not unsent,
            fix="check the network, and ANTHROPIC_BASE_URL if it is set",
        )
    return ProviderError(f"{type(exc).__name__}: {exc}", retryable=False, maybe_billed=True)


def batch_entry(result: Mapping[str, Any]) -> Completion | ProviderError:
    """One line of a batch's results: a Completion, or a ProviderError (errored items are
    retryable when the error is; expired and canceled items are always retryable)."""
    kind = result.get("type")
    if kind == "succeeded":
        return completion_from(result["message"])
    if kind == "errored":
        error = (result.get("error") or {}).get("error") or result.get("error") or {}
        etype = str(error.get("type", "api_error"))
        retryable = etype in {"api_error", "overloaded_error", "rate_limit_error", "timeout_error"}
        return ProviderError(f"batch item {etype}: {error.get('message', '')}", retryable=retryable)
    return ProviderError(f"batch item {kind}", retryable=True)


class AnthropicProvider:
    """Claude through AsyncAnthropic with max_retries=0."""

    name = "anthropic"

    def __init__(self, model: str, config: ProviderConfig | None = None) -> None:
        config = config or ProviderConfig()
        key = config.api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise GenerationError(MISSING_KEY)
        self.model = model
        self.url = base_url(config.base_url)
        self.client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=self.url,
            max_retries=0,
            timeout=config.timeout_seconds,
        )

    def error(self, exc: Exception) -> ProviderError:
        return classify(exc, model=self.model, url=self.url)

    async def generate(self, request: GenerationRequest) -> Completion:
        try:
            message = await self.client.messages.create(**message_params(request, self.model))
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return completion_from(message)

    async def count_tokens(self, request: GenerationRequest) -> int:
        params = message_params(request, self.model)
        params.pop("max_tokens")
        try:
            counted = await self.client.messages.count_tokens(**params)
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return int(counted.input_tokens)

    async def submit_batch(self, requests: list[GenerationRequest]) -> str:
        items: list[Any] = [
            {"custom_id": r.key, "params": message_params(r, self.model)} for r in requests
        ]
        try:
            batch = await self.client.messages.batches.create(requests=items)
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return str(batch.id)

    async def poll_batch(self, batch_id: str) -> BatchStatus:
        try:
            batch = await self.client.messages.batches.retrieve(batch_id)
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return BatchStatus(
            batch.id,
            batch.processing_status == "ended",
            batch.request_counts.model_dump(),
            batch.created_at,
        )

    async def batch_results(self, batch_id: str) -> dict[str, Completion | ProviderError]:
        out: dict[str, Completion | ProviderError] = {}
        try:
            async for item in await self.client.messages.batches.results(batch_id):
                out[item.custom_id] = batch_entry(item.result.model_dump())
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return out

    async def list_batches(self, since: datetime) -> list[BatchStatus]:
        out = []
        try:
            async for batch in self.client.messages.batches.list(limit=100):
                if batch.created_at < since:
                    break  # newest first: the rest are older
                counts = batch.request_counts.model_dump()
                out.append(
                    BatchStatus(
                        batch.id, batch.processing_status == "ended", counts, batch.created_at
                    )
                )
        except anthropic.AnthropicError as exc:
            raise self.error(exc) from exc
        return out

    async def aclose(self) -> None:
        await self.client.close()
