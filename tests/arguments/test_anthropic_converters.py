"""The anthropic provider's pure converters, tested without I/O."""

import anthropic
import httpx2
import pytest

from arguments.providers.anthropic import (
    batch_entry,
    classify,
    completion_from,
    message_params,
    retry_after,
)
from arguments.types import GenerationRequest

REQUEST = GenerationRequest("k" * 32, "anthropic/claude-haiku-5-5", "sys", "Argue X", 300)


def status_error(status: int, headers: dict[str, str] | None = None) -> anthropic.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages")
    response = httpx2.Response(status, headers=headers or {}, request=request)
    body = {"type": "error", "error": {"type": "x", "message": "m"}}
    client = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1")
    return client._make_status_error("boom", body=body, response=response)


def test_message_params_have_no_sampling_parameters() -> None:
    params = message_params(REQUEST, "claude-haiku-5-5")
    assert params == {
        "model": "claude-haiku-5-5",
        "max_tokens": 300,
        "messages": [{"role": "user", "content": "Argue X"}],
        "system": "sys",
    }


def test_completion_from_joins_text_blocks_and_reads_usage() -> None:
    message = anthropic.types.Message.model_validate(
        {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-5-5",
            "content": [{"type": "text", "text": "One. "}, {"type": "text", "text": "Two."}],
            "stop_reason": "max_tokens",
            "usage": {"input_tokens": 12, "output_tokens": 300},
        }
    )
    completion = completion_from(message)
    assert (completion.text, completion.stop_reason) == ("One. Two.", "max_tokens")
    assert (completion.input_tokens, completion.output_tokens) == (12, 300)


@pytest.mark.parametrize(
    ("status", "retryable"), [(429, True), (529, True), (500, True), (503, True), (400, False)]
)
def test_classify_retries_only_what_can_change(status: int, retryable: bool) -> None:
    error = classify(status_error(status))
    assert (error.retryable, error.status) == (retryable, status)


def test_classify_reads_retry_after_and_x_should_retry() -> None:
    assert classify(status_error(429, {"retry-after": "3"})).retry_after == 3.0
    assert classify(status_error(429, {"retry-after-ms": "250"})).retry_after == 0.25
    assert classify(status_error(400, {"x-should-retry": "true"})).retryable
    assert retry_after({"retry-after": "soon"}) is None


def test_timeouts_are_retryable() -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages")
    assert classify(anthropic.APITimeoutError(request)).retryable


def test_batch_entries() -> None:
    ok = batch_entry(
        {
            "type": "succeeded",
            "message": {
                "content": [{"type": "text", "text": "Hi"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 2},
            },
        }
    )
    assert getattr(ok, "text", None) == "Hi"
    errored = batch_entry(
        {"type": "errored", "error": {"type": "error", "error": {"type": "api_error"}}}
    )
    invalid = batch_entry(
        {"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error"}}}
    )
    expired = batch_entry({"type": "expired"})
    assert [getattr(e, "retryable", None) for e in (errored, invalid, expired)] == [
        True,
        False,
        True,
    ]
