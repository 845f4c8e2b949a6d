"""A loopback stand-in for the Anthropic API: Messages, token counting and Message Batches
(create, retrieve, list, results), as strict as the API reference (tests/support/anthropic_api
has the rules), with a fixed latency and fault injection (429 with retry-after, 529, 500, slow
answers, refusals, batch items that error or expire). It counts what it bills (`stats.billed`:
succeeded answers only, batch items flagged), so tests can compare the store's spend with
what was charged and count requests paid twice. Tests point the real SDK at it through
base_url or ANTHROPIC_BASE_URL; nothing leaves the machine.

    with StandIn(Behaviour(latency=0.01, faults=(Fault(429, every=7),))) as api:
        os.environ["ANTHROPIC_BASE_URL"] = api.url

Run on its own (for benchmarks, in another process): python -m tests.support.anthropic_standin
--latency 0.05 prints the URL on its first line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from tests.support.anthropic_api import (
    REFUSAL,
    Bill,
    bill_of,
    error_json,
    input_tokens,
    invalid_batch,
    invalid_count,
    invalid_message,
    message_json,
    page,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Fault:
    """Answer every `every`-th Messages request with `status` (retry_after in seconds)."""

    status: int
    every: int
    retry_after: float | None = None


@dataclass
class Behaviour:
    latency: float = 0.0
    faults: tuple[Fault, ...] = ()
    slow_every: int = 0
    slow_seconds: float = 0.0
    words: int = 250
    stop_reason: str = "end_turn"
    text: str | None = None
    batch_polls: int = 1
    batch_errored_every: int = 0
    batch_expired_every: int = 0
    script: deque[Fault] = field(default_factory=deque)  # one-off faults, in order
    fault_once: bool = True  # a request that got a periodic fault is answered next time
    refuse_every: int = 0  # every n-th answered message is a refusal
    models: frozenset[str] | None = None  # known model ids (None: any); others get 404
    api_key: str | None = None  # the one accepted x-api-key (None: any non-empty key)


@dataclass
class Stats:
    paths: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    faults: Counter[int] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    billed: list[Bill] = field(default_factory=list)
    answered: int = 0


Reply = tuple[int, list[Any], Any]


class StandInApp:
    """The ASGI app; state lives on the instance (one per server)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stats = Stats()
        self.batches: dict[str, dict[str, Any]] = {}
        self.failed_once: set[str] = set()
        self.faulted: set[str] = set()
        self.url = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        path, method = scope["path"], scope["method"]
        self.stats.paths[f"{method} {path}"] += 1
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = None
        refused = self.refuse(headers, body)
        status, extra, payload = refused or await self.route(method, path, body or {}, query)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        ctype = b"application/x-ndjson" if isinstance(payload, bytes) else b"application/json"
        request_id = f"req_{uuid.uuid4().hex[:24]}".encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype), (b"request-id", request_id), *extra],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def refuse(self, headers: dict[str, str], body: Any) -> Reply | None:
        """Authentication (x-api-key, or the Authorization: Bearer header the 2.x SDK sends), the
        anthropic-version header and a JSON body, as the API checks them."""
        bearer = headers.get("authorization", "")
        key = headers.get("x-api-key") or bearer.removeprefix("Bearer ").strip()
        if not key or (self.behaviour.api_key is not None and key != self.behaviour.api_key):
            return 401, [], error_json(401, "invalid x-api-key")
        if "anthropic-version" not in headers:
            return 400, [], error_json(400, "anthropic-version: header is required")
        if body is None or not isinstance(body, dict):
            return 400, [], error_json(400, "The request body is not valid JSON")
        return None

    async def route(
        self, method: str, path: str, body: dict[str, Any], query: dict[str, str]
    ) -> Reply:
        if method == "POST" and path == "/v1/messages":
            return await self.messages(body)
        if method == "POST" and path == "/v1/messages/count_tokens":
            problem = invalid_count(body, self.behaviour.models)
            if problem is not None:
                return problem[0], [], error_json(*problem)
            return 200, [], {"input_tokens": input_tokens(body)}
        if path == "/v1/messages/batches":
            if method == "POST":
                return self.create_batch(body)
            listed = [self.batch_json(b) for b in reversed(self.batches)]  # newest first
            status, payload = page(listed, query)
            return status, [], payload
        parts = path.strip("/").split("/")
        if len(parts) in (4, 5) and parts[:3] == ["v1", "messages", "batches"] and method == "GET":
            batch_id = parts[3]
            if batch_id not in self.batches:
                return 404, [], error_json(404, f"message_batch_id: {batch_id} not found")
            if len(parts) == 5 and parts[4] == "results":
                return self.batch_results(batch_id)
            if len(parts) == 4:
                return 200, [], self.poll_batch(batch_id)
        return 404, [], error_json(404, f"{method} {path}")

    def pick_fault(self, body: dict[str, Any]) -> Fault | None:
        if self.behaviour.script:
            return self.behaviour.script.popleft()
        n = self.stats.messages
        fault = next((f for f in self.behaviour.faults if n % f.every == 0), None)
        if fault is None or not self.behaviour.fault_once:
            return fault
        key = json.dumps(body, sort_keys=True)
        if key in self.faulted:
            return None
        self.faulted.add(key)
        return fault

    def answer(self, body: dict[str, Any], *, batch: bool) -> dict[str, Any]:
        """A Message for a valid request, billed (every refuse_every-th one a refusal)."""
        b = self.behaviour
        self.stats.answered += 1
        refusal = bool(b.refuse_every) and self.stats.answered % b.refuse_every == 0
        text = REFUSAL if refusal else b.text
        message = message_json(body, words=b.words, text=text, stop_reason=b.stop_reason)
        self.stats.billed.append(bill_of(body, message, batch=batch))
        return message

    async def messages(self, body: dict[str, Any]) -> Reply:
        self.stats.messages += 1
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            b = self.behaviour
            problem = invalid_message(body, b.models)
            if problem is not None:
                return problem[0], [], error_json(*problem)
            delay = b.latency
            if b.slow_every and self.stats.messages % b.slow_every == 0:
                delay += b.slow_seconds
            fault = self.pick_fault(body)
            await asyncio.sleep(delay)
            if fault is not None:
                self.stats.faults[fault.status] += 1
                headers = []
                if fault.retry_after is not None:
                    headers.append((b"retry-after-ms", str(int(fault.retry_after * 1000)).encode()))
                return fault.status, headers, error_json(fault.status)
            self.stats.bodies.append(body)
            return 200, [], self.answer(body, batch=False)
        finally:
            self.stats.in_flight -= 1

    def batch_json(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        ended = batch["results"] is not None
        n = len(batch["requests"])
        counts = Counter(json.loads(line)["result"]["type"] for line in batch["results"] or [])
        created: datetime = batch["created_at"]
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": counts["succeeded"],
                "errored": counts["errored"],
                "canceled": counts["canceled"],
                "expired": counts["expired"],
            },
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "expires_at": (created + timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
            "ended_at": batch["ended_at"],
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def create_batch(self, body: dict[str, Any]) -> Reply:
        problem = invalid_batch(body)
        if problem is not None:
            return 400, [], error_json(400, problem)
        batch_id = f"msgbatch_{uuid.uuid4().hex[:24]}"
        self.batches[batch_id] = {
            "requests": body["requests"],
            "polls": 0,
            "created_at": datetime.now(UTC),
            "ended_at": None,
            "results": None,
        }
        return 200, [], self.batch_json(batch_id)

    def poll_batch(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        batch["polls"] += 1
        if batch["results"] is None and batch["polls"] >= self.behaviour.batch_polls:
            batch["results"] = self.process(batch_id)
            batch["ended_at"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return self.batch_json(batch_id)

    def process(self, batch_id: str) -> list[str]:
        """Every request's result line (billing the succeeded ones), in no particular order."""
        b, lines = self.behaviour, []
        for i, item in enumerate(self.batches[batch_id]["requests"], start=1):
            cid, params = item["custom_id"], item["params"]
            result: dict[str, Any]
            first = cid not in self.failed_once
            problem = invalid_message(params, b.models)
            if problem is not None:
                result = {"type": "errored", "error": error_json(*problem)}
            elif first and b.batch_errored_every and i % b.batch_errored_every == 0:
                self.failed_once.add(cid)
                result = {"type": "errored", "error": error_json(500)}
            elif first and b.batch_expired_every and i % b.batch_expired_every == 0:
                self.failed_once.add(cid)
                result = {"type": "expired"}
            else:
                result = {"type": "succeeded", "message": self.answer(params, batch=True)}
            lines.append(json.dumps({"custom_id": cid, "result": result}))
        random.Random(batch_id).shuffle(lines)
        return lines

    def batch_results(self, batch_id: str) -> Reply:
        lines = self.batches[batch_id]["results"]
        if lines is None:
            return 404, [], error_json(404, f"batch {batch_id} has not ended: no results yet")
        return 200, [], ("\n".join(lines) + "\n").encode()


class StandIn:
    """The stand-in served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.app = StandInApp(behaviour or Behaviour())
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.app.url = self.url
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            backlog=2048,
            limit_concurrency=None,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def stats(self) -> Stats:
        return self.app.stats

    @property
    def behaviour(self) -> Behaviour:
        return self.app.behaviour

    def __enter__(self) -> StandIn:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the Anthropic stand-in did not start within 10 s")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the Anthropic stand-in on 127.0.0.1.")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with StandIn(Behaviour(latency=args.latency)) as api:
        print(api.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
