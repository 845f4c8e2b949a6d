"""The one wrapper around providers: retries, backoff, rate limit, in-flight bound."""

import asyncio
import random

import pytest

from arguments import Completion, Dispatcher, GenerationRequest, Limits, ProviderError, TokenBucket
from arguments.dispatch import backoff

REQUEST = GenerationRequest("k" * 32, "fake/x", "", "u", 10)
FAST = Limits(max_in_flight=4, requests_per_minute=600_000, max_attempts=4, base_delay=0.001)


class Scripted:
    """A provider that raises the scripted errors, then answers."""

    name = "fake"

    def __init__(self, errors: list[ProviderError]) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def generate(self, request: GenerationRequest) -> Completion:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return Completion("text", "end_turn", 1, 1)


def run(provider: Scripted, limits: Limits = FAST) -> Completion:
    return asyncio.run(Dispatcher.create(limits).call(provider, REQUEST))  # type: ignore[arg-type]


def test_retryable_errors_are_retried_until_success() -> None:
    provider = Scripted(
        [
            ProviderError("429", retryable=True, retry_after=0.001, status=429),
            ProviderError("529", retryable=True, status=529),
        ]
    )
    assert run(provider).text == "text"
    assert provider.calls == 3


def test_non_retryable_error_is_raised_at_once() -> None:
    provider = Scripted([ProviderError("400", retryable=False, status=400)])
    with pytest.raises(ProviderError, match="400"):
        run(provider)
    assert provider.calls == 1


def test_attempts_are_bounded() -> None:
    provider = Scripted([ProviderError("500", retryable=True, status=500)] * 10)
    with pytest.raises(ProviderError):
        run(provider)
    assert provider.calls == FAST.max_attempts


def test_backoff_honours_retry_after_and_grows_otherwise() -> None:
    limits = Limits(base_delay=1.0, max_delay=30.0)
    rng = random.Random(0)
    assert backoff(1, limits, ProviderError("x", retryable=True, retry_after=7.0), rng) == 7.0
    plain = ProviderError("x", retryable=True)
    first, fourth = backoff(1, limits, plain, rng), backoff(4, limits, plain, rng)
    assert 0.5 <= first <= 1.0 and 4.0 <= fourth <= 8.0
    assert backoff(20, limits, plain, rng) <= 30.0


def test_token_bucket_spaces_requests_by_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    async def main() -> None:
        bucket = TokenBucket(60.0, clock=lambda: now[0])  # one per second, burst of one

        async def fake_sleep(seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

        original = asyncio.sleep
        asyncio.sleep = fake_sleep  # type: ignore[assignment]
        try:
            for _ in range(3):
                await bucket.acquire()
        finally:
            asyncio.sleep = original

    asyncio.run(main())
    assert now[0] == pytest.approx(2.0)
    assert slept == [pytest.approx(1.0), pytest.approx(1.0)]


def test_worker_pool_bounds_work_in_flight() -> None:
    active, peak = [0], [0]

    async def work(item: int) -> None:
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        await asyncio.sleep(0.001)
        active[0] -= 1

    asyncio.run(Dispatcher.create(FAST).run(range(40), work))
    assert peak[0] == FAST.max_in_flight
