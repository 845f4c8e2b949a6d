"""Opt-in: one real request to the Anthropic API (runs only with ANTHROPIC_API_KEY set and
no ANTHROPIC_BASE_URL pointing elsewhere)."""

import asyncio
import os

import pytest

from arguments import GenerationRequest, get_provider

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("ANTHROPIC_API_KEY") or bool(os.environ.get("ANTHROPIC_BASE_URL")),
        reason="live test: set ANTHROPIC_API_KEY (and no ANTHROPIC_BASE_URL) to run it",
    ),
]


def test_one_short_argument_from_the_cheapest_current_model() -> None:
    provider = get_provider("anthropic/claude-haiku-5-5")
    request = GenerationRequest(
        "live" + "0" * 28,
        "anthropic/claude-haiku-5-5",
        "Answer in one sentence.",
        "Give one reason why cities should plant more trees.",
        60,
    )

    async def main() -> tuple[int, str]:
        try:
            tokens = await provider.count_tokens(request)
            completion = await provider.generate(request)
        finally:
            await provider.aclose()
        return tokens, completion.text

    tokens, text = asyncio.run(main())
    assert tokens > 0
    assert len(text.split()) >= 3
