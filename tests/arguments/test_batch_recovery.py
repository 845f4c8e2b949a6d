"""Batches paid for are collected whatever the mode, and a batch submitted but never recorded
(a crash between the two) is found in the provider's own list by its custom_ids and adopted,
not paid again."""

from collections.abc import Callable
from pathlib import Path

import anthropic
import pytest

import arguments.batches
import arguments.providers.anthropic
from tests.arguments.spending_support import arguments as stored
from tests.arguments.spending_support import attempts, billed_usd, run_study, spent
from tests.support.anthropic_api import paid_twice
from tests.support.anthropic_standin import StandIn

MakeStudy = Callable[..., Path]
BATCH = 'mode = "batch"\nbatch_poll_seconds = 0.01\n'  # in [generation]


def test_batches_of_a_crashed_batch_run_are_collected_by_a_messages_run(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "switch.db")

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed while waiting for the batch")

    with monkeypatch.context() as patch:
        patch.setattr(arguments.batches, "wait_for", crash)
        with pytest.raises(RuntimeError, match="killed while waiting"):
            run_study(make_study(extra=BATCH), db)
    assert standin.stats.paths["POST /v1/messages/batches"] == 2  # one per writer, then killed
    summary = run_study(make_study(), db)  # now mode = "messages"
    assert summary.written == 32 and len(stored(db)) == 32
    assert standin.stats.paths["POST /v1/messages/batches"] == 2
    assert standin.stats.messages == 0  # everything came from the batches already paid for
    assert paid_twice(standin.stats.billed) == 0
    assert spent(db).total_usd == pytest.approx(billed_usd(standin.stats.billed), rel=1e-9)
    assert {r.request_params["api"] for r in stored(db)} == {"batch"}


def test_a_batch_submitted_but_never_recorded_is_adopted_not_resubmitted(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "adopt.db")
    decoy = anthropic.Anthropic(api_key="k", base_url=standin.url, max_retries=0)
    decoy.messages.batches.create(  # someone else's batch of the same size, on the same key
        requests=[
            {
                "custom_id": f"other-{i}",
                "params": {
                    "model": "claude-haiku-5-5",
                    "max_tokens": 50,
                    "messages": [{"role": "user", "content": f"Say {i}."}],
                },
            }
            for i in range(16)
        ]
    )

    def lost(*args: object) -> None:
        raise RuntimeError("killed between submitting and recording")

    with monkeypatch.context() as patch:
        patch.setattr(arguments.batches, "record_batch", lost)
        with pytest.raises(RuntimeError, match="killed between submitting and recording"):
            run_study(make_study(extra=BATCH), db)
    assert standin.stats.paths["POST /v1/messages/batches"] == 2  # the decoy and ours
    assert {a.state for a in attempts(db)} == {"sent"} and len(attempts(db)) == 16
    summary = run_study(make_study(extra=BATCH), db)
    assert summary.written == 32 and len(stored(db)) == 32
    # ours adopted (not resubmitted); only the second writer's batch is new
    assert standin.stats.paths["POST /v1/messages/batches"] == 3
    assert paid_twice(standin.stats.billed) == 0
    assert {a.state for a in attempts(db)} == {"answered"} and len(attempts(db)) == 32


def test_a_submission_that_never_reached_the_provider_is_released(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arguments.types import ProviderError

    db = str(tmp_path / "never.db")

    async def cut(*args: object) -> str:
        raise ProviderError("connection lost", retryable=False, maybe_billed=True)

    with monkeypatch.context() as patch:
        patch.setattr(arguments.providers.anthropic.AnthropicProvider, "submit_batch", cut)
        with pytest.raises(arguments.RunStopped, match=r"^the model API failed: connection lost"):
            run_study(make_study(extra=BATCH), db)
    assert spent(db).unknown == 16  # outcome unknown: counted at the worst case meanwhile
    summary = run_study(make_study(extra=BATCH), db)
    assert summary.written == 32
    assert spent(db).unknown == 0  # not in the provider's list: released, then sent again
    failed = [a for a in attempts(db) if a.state == "failed"]
    assert len(failed) == 16 and failed[0].error.startswith("never created")
