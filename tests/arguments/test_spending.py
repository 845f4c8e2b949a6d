"""Spending you can trust, in-process against the stand-in that counts what it billed: every
attempt recorded (regenerations and retries included), the budget enforced while running,
one generation per study at a time, provider errors as one line."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arguments import RunOptions, RunStopped
from arguments.lease import LeaseHeld, LeaseLost, acquire, holder_name
from cli.main import app
from flows.status import study_status
from study import load_and_register
from study.store import GenerationLeaseRow, utcnow
from tests.arguments.spending_support import (
    arguments,
    attempts,
    billed_usd,
    opened,
    run_study,
    spent,
)
from tests.support.anthropic_api import REFUSAL, paid_twice
from tests.support.anthropic_standin import Fault, StandIn

runner = CliRunner()
MakeStudy = Callable[..., Path]
REGENERATE = '[quality]\non_fail = "regenerate"\nmax_attempts = 3\n'


def test_every_attempt_is_recorded_and_the_spend_equals_the_bill(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.faults = (
        Fault(429, every=7, retry_after=0.01),
        Fault(529, every=11),
        Fault(500, every=13),
    )
    standin.behaviour.refuse_every = 4
    db = str(tmp_path / "s.db")
    summary = run_study(make_study(topics=2, extra=REGENERATE), db)
    bills = standin.stats.billed
    assert summary.written == 32 and len(bills) > 32  # refusals were regenerated
    assert paid_twice(bills) == len(bills) - 32  # only the regenerations repeat a request
    billed = billed_usd(bills)
    recorded = spent(db)
    assert recorded.unknown == 0
    assert recorded.total_usd == pytest.approx(billed, rel=1e-9)
    assert summary.cost_usd == pytest.approx(billed, rel=1e-9)
    assert sum(a.cost_usd for a in arguments(db)) == pytest.approx(billed, rel=1e-9)
    states = [a.state for a in attempts(db)]
    assert states.count("answered") == len(bills)
    assert states.count("failed") == sum(standin.stats.faults.values())
    regenerated = [a for a in arguments(db) if a.quality["attempts"] > 1]
    assert regenerated and all(a.cost_usd > 0 for a in regenerated)
    with opened(db) as store:  # `persuasion status` shows the same total
        assert study_status(store, load_and_register(store, "gen")).cost_usd == pytest.approx(
            billed, rel=1e-9
        )


def test_batch_items_and_their_regenerations_are_recorded_at_half_price(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.refuse_every, standin.behaviour.batch_errored_every = 3, 5
    db = str(tmp_path / "batch.db")
    batch = 'mode = "batch"\nbatch_poll_seconds = 0.01\nbatch_max_rounds = 6\n'
    study = make_study(extra=batch + REGENERATE)
    summary = run_study(study, db)
    bills = standin.stats.billed
    assert summary.written == 32 and len(bills) > 32 and all(b.batch for b in bills)
    billed = billed_usd(bills)
    assert spent(db).total_usd == pytest.approx(billed, rel=1e-9)
    assert sum(a.cost_usd for a in arguments(db)) == pytest.approx(billed, rel=1e-9)
    assert summary.cost_usd == pytest.approx(billed, rel=1e-9)
    assert {a.state for a in attempts(db)} == {"answered", "failed"}


def test_the_budget_stops_a_run_that_regenerates_and_a_higher_budget_continues(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    # every answer is a long refusal (cut at max_tokens, so it costs its worst case) and
    # fails its checks: three attempts each
    standin.behaviour.text = REFUSAL + " sorry" * 1000
    db = str(tmp_path / "b.db")
    probe = run_study(make_study(topics=2, extra=REGENERATE), db, RunOptions(dry_run=True))
    assert probe.estimate is not None and probe.estimate.attempts == 3
    once, thrice = probe.estimate.cost_usd, probe.estimate.regenerated_usd
    assert thrice == pytest.approx(3 * once)
    budget = round(1.5 * once, 4)
    study = make_study(topics=2, extra=f"[arguments]\nbudget_usd = {budget}\n{REGENERATE}")
    with pytest.raises(RunStopped, match=r"^stopped at the budget: spent and in flight \$") as e:
        run_study(study, db)
    assert e.value.summary.written < 32
    assert billed_usd(standin.stats.billed) <= budget
    assert spent(db).total_usd <= budget
    stored = len(arguments(db))
    more = make_study(topics=2, extra=f"[arguments]\nbudget_usd = {4 * once}\n{REGENERATE}")
    summary = run_study(more, db)
    assert summary.written == 32 - stored and len(arguments(db)) == 32
    assert spent(db).total_usd == pytest.approx(billed_usd(standin.stats.billed), rel=1e-9)


def test_a_second_run_is_refused_naming_the_holder_and_can_steal_the_lease(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    study, db = make_study(topics=1), str(tmp_path / "l.db")
    with opened(db) as store:
        loaded = load_and_register(store, str(study))
        lease = acquire(store, loaded.study_id, "gen")
        with store.session() as session:
            since = session.get(GenerationLeaseRow, loaded.study_id).acquired_at  # type: ignore[union-attr]
        refused = runner.invoke(app, ["generate", str(study), "--db", db])
        assert refused.exit_code == 1
        assert refused.output.strip() == (
            f"Error: study gen is being generated by {holder_name()} since "
            f"{since:%Y-%m-%d %H:%M:%S} UTC; wait or pass --steal-lease"
        )
        assert sum(standin.stats.paths.values()) == 0
        stolen = runner.invoke(app, ["generate", str(study), "--db", db, "--steal-lease"])
        assert stolen.exit_code == 0, stolen.output
        assert "Generated 16 of 16" in stolen.output
        with pytest.raises(LeaseLost, match=r"^the generation lease of study gen was taken over"):
            lease.renew()


def test_a_lease_left_by_a_dead_process_is_taken_over(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    study, db = make_study(topics=1), str(tmp_path / "d.db")
    with opened(db) as store:
        loaded = load_and_register(store, str(study))
        with store.session() as session:
            session.add(
                GenerationLeaseRow(
                    study_id=loaded.study_id,
                    token="left-behind",
                    holder=holder_name().rsplit(" pid ", 1)[0] + f" pid {dead.stdout.strip()}",
                    acquired_at=utcnow(),
                    expires_at=utcnow() + timedelta(minutes=10),
                )
            )
    assert run_study(study, db).written == 16


@pytest.mark.postgres
def test_on_postgres_the_lease_is_an_advisory_lock_that_can_be_stolen(
    postgres_url: str, make_study: MakeStudy
) -> None:
    with opened(postgres_url) as store:
        study_id = load_and_register(store, str(make_study(topics=1))).study_id
        first = acquire(store, study_id, "gen")
        held = r"^study gen is being generated by .+ since .+ UTC; wait or pass --steal-lease$"
        with pytest.raises(LeaseHeld, match=held):
            acquire(store, study_id, "gen")
        second = acquire(store, study_id, "gen", steal=True)  # ends the first one's session
        with pytest.raises(LeaseLost):
            first.renew()
        second.release()
        acquire(store, study_id, "gen").release()  # free again once released
