"""What the Anthropic API says, field by field, for the loopback stand-in: request validation
(Messages, token counting, Message Batches), response shapes (message, error, batch object,
results JSONL lines) and billing. Follows the public API reference:

- errors are `{"type": "error", "error": {"type": ..., "message": ...}}` with a `request-id`
  header; 400 invalid_request_error, 401 authentication_error, 404 not_found_error, 429
  rate_limit_error, 500 api_error, 529 overloaded_error;
- Messages need `model`, `max_tokens` (>= 1) and a non-empty `messages` list; unknown fields
  are refused; current models refuse `temperature` and `top_p` ("deprecated for this model");
  output never exceeds `max_tokens` (stop_reason "max_tokens");
- a batch's `custom_id` matches ^[a-zA-Z0-9_-]{1,64}$ and is unique within the batch; each
  request's `params` are validated asynchronously (an invalid one is an `errored` result);
- a batch object has id, type "message_batch", processing_status (in_progress | canceling |
  ended), request_counts (processing, succeeded, errored, canceled, expired), ended_at,
  created_at, expires_at (24 h after creation), archived_at, cancel_initiated_at, results_url
  (null until ended); the list is newest first, paged by after_id/before_id with limit
  (1-1000, default 20);
- results are JSONL, one `{"custom_id", "result"}` per request, not in request order;
  only succeeded items are billed, at half the Messages price (the caller applies prices).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
MESSAGE_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "metadata",
        "stop_sequences",
        "stream",
        "top_k",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
    }
)
DEPRECATED = ("temperature", "top_p")
COUNT_FIELDS = frozenset({"model", "messages", "system", "tools", "tool_choice", "thinking"})
REFUSAL = "I can't help with writing that essay."
VOCABULARY = (
    "evidence shows that people benefit when communities act early and plan with care because "
    "the costs of waiting grow every year while the gains of acting compound over time for "
    "families workers and cities alike"
)
WORDS = VOCABULARY.split()


@dataclass(frozen=True)
class Bill:
    """One billed request: what the service charges for (succeeded answers only)."""

    model: str
    prompt: str  # a hash of the model, system and messages: the same request, billed again
    input_tokens: int
    output_tokens: int
    batch: bool


def paid_twice(bills: list[Bill]) -> int:
    """Requests billed more than once (each repeat counts)."""
    counts = Counter((b.model, b.prompt) for b in bills)
    return sum(n - 1 for n in counts.values())


def usd(bills: list[Bill], prices: dict[str, tuple[float, float]]) -> float:
    """What the bills cost at `prices` (model id -> USD per million input, output tokens)."""
    total = 0.0
    for b in bills:
        per_in, per_out = prices[b.model]
        cost = (b.input_tokens * per_in + b.output_tokens * per_out) / 1e6
        total += cost / 2 if b.batch else cost
    return total


def error_json(status: int, message: str | None = None) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message or f"stand-in {status}"}}


def prompt_of(body: dict[str, Any]) -> str:
    return " ".join(str(m.get("content", "")) for m in body.get("messages", []))


def prompt_hash(body: dict[str, Any]) -> str:
    raw = f"{body.get('model')}|{body.get('system', '')}|{prompt_of(body)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def input_tokens(body: dict[str, Any]) -> int:
    return len((str(body.get("system", "")) + " " + prompt_of(body)).split())


def essay(seed: str, words: int) -> str:
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    return " ".join(rng.choice(WORDS) for _ in range(words))


def invalid_message(body: dict[str, Any], models: frozenset[str] | None) -> tuple[int, str] | None:
    """(status, message) when a Messages request is refused, else None."""
    for name in DEPRECATED:
        if name in body:
            return 400, f"`{name}` is deprecated for this model."
    extra = sorted(set(body) - MESSAGE_FIELDS)
    if extra:
        return 400, f"{extra[0]}: Extra inputs are not permitted"
    model, max_tokens, messages = body.get("model"), body.get("max_tokens"), body.get("messages")
    if not isinstance(model, str) or not model:
        return 400, "model: Field required"
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return 400, "max_tokens: Input should be an integer greater than or equal to 1"
    if not isinstance(messages, list) or not messages:
        return 400, "messages: at least one message is required"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            return 400, f"messages.{i}.role: Input should be 'user' or 'assistant'"
        if not isinstance(m.get("content"), str | list):
            return 400, f"messages.{i}.content: Field required"
    if models is not None and model not in models:
        return 404, f"model: {model}"
    return None


def invalid_count(body: dict[str, Any], models: frozenset[str] | None) -> tuple[int, str] | None:
    extra = sorted(set(body) - COUNT_FIELDS)
    if extra:
        return 400, f"{extra[0]}: Extra inputs are not permitted"
    return invalid_message({**body, "max_tokens": 1}, models)


def invalid_batch(body: dict[str, Any]) -> str | None:
    """Why a batch create is refused (custom ids), else None; params are checked later."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        return "requests: at least one request is required"
    if len(requests) > 100_000:
        return "requests: a batch holds at most 100,000 requests"
    seen: set[str] = set()
    for i, item in enumerate(requests):
        cid = item.get("custom_id") if isinstance(item, dict) else None
        if not isinstance(cid, str) or not CUSTOM_ID.match(cid):
            return f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
        if cid in seen:
            return f"requests.{i}.custom_id: duplicate custom_id {cid!r} in the batch"
        seen.add(cid)
        if not isinstance(item.get("params"), dict):
            return f"requests.{i}.params: Field required"
    return None


def message_json(
    body: dict[str, Any], *, words: int, text: str | None, stop_reason: str
) -> dict[str, Any]:
    """A Message for a valid request; output is cut at max_tokens like the real service."""
    prompt = prompt_of(body)
    text = text if text is not None else essay(prompt, words)
    out = int(len(text.split()) * 1.3)
    if out > body["max_tokens"]:
        text = " ".join(text.split()[: int(body["max_tokens"] / 1.3)])
        out, stop_reason = body["max_tokens"], "max_tokens"
    return {
        "id": "msg_" + hashlib.sha256(prompt.encode()).hexdigest()[:20],
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens(body), "output_tokens": out},
    }


def bill_of(body: dict[str, Any], message: dict[str, Any], *, batch: bool) -> Bill:
    usage = message["usage"]
    return Bill(
        body["model"], prompt_hash(body), usage["input_tokens"], usage["output_tokens"], batch
    )


def page(items: list[dict[str, Any]], query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """A page of a newest-first list, by after_id / before_id and limit."""
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        return 400, error_json(400, "limit: Input should be a valid integer")
    if not 1 <= limit <= 1000:
        return 400, error_json(400, "limit: Input should be between 1 and 1000")
    ids = [b["id"] for b in items]
    start, stop = 0, len(items)
    if "after_id" in query:
        start = ids.index(query["after_id"]) + 1 if query["after_id"] in ids else len(ids)
    if "before_id" in query:
        stop = ids.index(query["before_id"]) if query["before_id"] in ids else 0
        start = max(start, stop - limit)
    data = items[start:stop][:limit]
    more = (start + len(data) < stop) if "before_id" not in query else start > 0
    return 200, {
        "data": data,
        "has_more": more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
