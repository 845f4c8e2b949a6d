"""The one wrapper around providers: a bounded number of requests in flight, a
requests-per-minute limit (token bucket), and retries with backoff on retryable errors
(429, 529, 5xx, timeouts) honouring `retry-after`. Providers themselves never retry."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from arguments.types import Completion, GenerationRequest, ModelProvider, ProviderError

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """In-flight bound, rate limit and retry policy. Delays in seconds."""

    max_in_flight: int = 8
    requests_per_minute: float = 50.0
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0


class TokenBucket:
    """A requests-per-minute limiter: refills continuously, bursts up to one second's worth.
    `pause` holds every caller back (after a 429 with retry-after)."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = self.clock()
                if now < self.paused_until:
                    await asyncio.sleep(self.paused_until - now)
                    continue
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1.0:
                    self.tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self.tokens) / self.rate)


def backoff(attempt: int, limits: Limits, error: ProviderError, rng: random.Random) -> float:
    """Seconds before the next attempt: the server's retry-after if it sent one, else
    exponential backoff with jitter (attempt counts from 1)."""
    if error.retry_after is not None:
        return min(error.retry_after, limits.max_delay)
    ceiling = min(limits.max_delay, limits.base_delay * 2 ** (attempt - 1))
    return ceiling * (0.5 + rng.random() / 2)


@dataclass
class Dispatcher:
    """Sends requests through providers with the limits above. One per run."""

    limits: Limits
    bucket: TokenBucket
    rng: random.Random
    sent: int = 0
    retried: int = 0

    @classmethod
    def create(cls, limits: Limits, seed: int = 0) -> Dispatcher:
        return cls(limits, TokenBucket(limits.requests_per_minute), random.Random(seed))

    async def call(self, provider: ModelProvider, request: GenerationRequest) -> Completion:
        """One request with retries; raises the last ProviderError when attempts run out."""
        return await self.retrying(lambda: provider.generate(request))

    async def retrying(self, send: Callable[[], Awaitable[T]]) -> T:
        """Call `send` under the rate limit, retrying retryable ProviderErrors with backoff."""
        attempt = 0
        while True:
            attempt += 1
            await self.bucket.acquire()
            self.sent += 1
            try:
                return await send()
            except ProviderError as exc:
                if not exc.retryable or attempt >= self.limits.max_attempts:
                    raise
                delay = backoff(attempt, self.limits, exc, self.rng)
                if exc.status == 429 and exc.retry_after is not None:
                    self.bucket.pause(delay)
                self.retried += 1
                await asyncio.sleep(delay)

    async def run(
        self,
        items: Iterable[T],
        work: Callable[[T], Awaitable[None]],
        until: Callable[[], bool] = lambda: False,
    ) -> None:
        """Run `work` over items with at most `max_in_flight` running at once (a worker pool:
        memory stays flat however many items there are); workers take no new item once
        `until()` is true."""
        queue: asyncio.Queue[T] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while not until():
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await work(item)

        n = min(self.limits.max_in_flight, max(queue.qsize(), 1))
        await asyncio.gather(*(worker() for _ in range(n)))
