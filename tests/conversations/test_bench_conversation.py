"""The conversation benchmark runs both arms and counts lost answers, lost turns and replies
paid twice (no timing is asserted)."""

from __future__ import annotations

import os

import pytest

from bench.bench_conversation import main


@pytest.mark.timeout(600)
def test_conversation_benchmark_loses_no_turn(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--participants", "3", "--concurrency", "3", "--latency", "0.01"])
    out = capsys.readouterr().out
    assert code == 0, out
    last = out.strip().splitlines()[-1]
    assert "lost turns 0, paid twice 0" in last
    replies = int(last.split("replies stored ")[1].split(",")[0])
    assert replies >= 3 * 2 * 2  # every conversation held at least its two minimum turns
    assert "ANTHROPIC_BASE_URL" not in os.environ  # the stand-in's URL is not left
