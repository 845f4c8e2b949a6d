"""A loopback stand-in for the Anthropic API: Messages, token counting and Message Batches,
with a fixed latency and fault injection (429 with retry-after, 529, 500, slow answers,
batch items that error or expire). Tests point the real SDK at it through base_url or
ANTHROPIC_BASE_URL; nothing leaves the machine.

    with StandIn(Behaviour(latency=0.01, faults=(Fault(429, every=7),))) as api:
        os.environ["ANTHROPIC_BASE_URL"] = api.url

Run on its own (for benchmarks, in another process): python -m tests.support.anthropic_standin
--latency 0.05 prints the URL on its first line.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ERROR_TYPES = {
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
    400: "invalid_request_error",
    401: "authentication_error",
}
WORDS = [
    "evidence",
    "shows",
    "that",
    "people",
    "benefit",
    "when",
    "communities",
    "act",
    "early",
    "and",
    "plan",
    "with",
    "care",
    "because",
    "the",
    "costs",
    "of",
    "waiting",
    "grow",
    "every",
    "year",
    "while",
    "the",
    "gains",
    "of",
    "acting",
    "compound",
    "over",
    "time",
    "for",
    "families",
    "workers",
    "and",
    "cities",
    "alike",
]


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


@dataclass
class Stats:
    paths: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    faults: Counter[int] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)


def essay(seed: str, words: int) -> str:
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    return " ".join(rng.choice(WORDS) for _ in range(words))


def message_json(body: dict[str, Any], behaviour: Behaviour) -> dict[str, Any]:
    prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
    text = behaviour.text if behaviour.text is not None else essay(prompt, behaviour.words)
    return {
        "id": "msg_" + hashlib.sha256(prompt.encode()).hexdigest()[:20],
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": [{"type": "text", "text": text}],
        "stop_reason": behaviour.stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": len((str(body.get("system", "")) + " " + prompt).split()),
            "output_tokens": int(len(text.split()) * 1.3),
        },
    }


def error_json(status: int) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": f"stand-in {status}"}}


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
        body = json.loads(raw) if raw else {}
        path, method = scope["path"], scope["method"]
        self.stats.paths[f"{method} {path}"] += 1
        status, headers, payload = await self.route(method, path, body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        ctype = b"application/x-ndjson" if isinstance(payload, bytes) else b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype), *headers],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def route(
        self, method: str, path: str, body: dict[str, Any]
    ) -> tuple[int, list[Any], Any]:
        if method == "POST" and path == "/v1/messages":
            return await self.messages(body)
        if method == "POST" and path == "/v1/messages/count_tokens":
            prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
            return (
                200,
                [],
                {"input_tokens": len((str(body.get("system", "")) + " " + prompt).split())},
            )
        if method == "POST" and path == "/v1/messages/batches":
            return 200, [], self.create_batch(body)
        parts = path.strip("/").split("/")
        if (
            len(parts) >= 4
            and parts[:3] == ["v1", "messages", "batches"]
            and parts[3] in self.batches
        ):
            if len(parts) == 5 and parts[4] == "results":
                return 200, [], self.batch_results(parts[3])
            return 200, [], self.poll_batch(parts[3])
        return 404, [], {"type": "error", "error": {"type": "not_found_error", "message": path}}

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

    async def messages(self, body: dict[str, Any]) -> tuple[int, list[Any], Any]:
        self.stats.messages += 1
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            b = self.behaviour
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
            return 200, [], message_json(body, b)
        finally:
            self.stats.in_flight -= 1

    def batch_json(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        ended = batch["polls"] >= self.behaviour.batch_polls
        n = len(batch["requests"])
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": n if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-11-25T00:00:00Z",
            "expires_at": "2026-11-26T00:00:00Z",
            "ended_at": "2026-11-25T00:01:00Z" if ended else None,
            "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        batch_id = f"msgbatch_{len(self.batches) + 1:04d}"
        self.batches[batch_id] = {"requests": body["requests"], "polls": 0}
        return self.batch_json(batch_id)

    def poll_batch(self, batch_id: str) -> dict[str, Any]:
        self.batches[batch_id]["polls"] += 1
        return self.batch_json(batch_id)

    def batch_results(self, batch_id: str) -> bytes:
        b, lines = self.behaviour, []
        for i, item in enumerate(self.batches[batch_id]["requests"], start=1):
            cid = item["custom_id"]
            result: dict[str, Any]
            first = cid not in self.failed_once
            if first and b.batch_errored_every and i % b.batch_errored_every == 0:
                self.failed_once.add(cid)
                result = {"type": "errored", "error": error_json(500)}
            elif first and b.batch_expired_every and i % b.batch_expired_every == 0:
                self.failed_once.add(cid)
                result = {"type": "expired"}
            else:
                result = {"type": "succeeded", "message": message_json(item["params"], b)}
            lines.append(json.dumps({"custom_id": cid, "result": result}))
        return ("\n".join(lines) + "\n").encode()


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
