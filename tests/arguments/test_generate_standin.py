"""Generation end to end through the command line and the real SDK, against the loopback
stand-in (ANTHROPIC_BASE_URL), with injected faults."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from arguments import GenerationSummary, RunOptions, generate_all
from cli.main import app
from study.loading import load_and_register
from study.store import ArgumentRow, open_store
from tests.support.anthropic_standin import Fault, StandIn

runner = CliRunner()
MakeStudy = Callable[..., Path]


def arguments_in(db: str) -> list[ArgumentRow]:
    with open_store(db) as store, store.session() as session:
        return list(session.scalars(select(ArgumentRow).order_by(ArgumentRow.id)))


def test_acceptance_448_arguments_survive_faults_and_rerun_sends_nothing(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.faults = (
        Fault(429, every=7, retry_after=0.01),
        Fault(529, every=11),
        Fault(500, every=13),
    )
    study, db = make_study(topics=28), str(tmp_path / "store.db")
    first = runner.invoke(app, ["generate", str(study), "--db", db])
    assert first.exit_code == 0, first.output
    assert "Generated 448 of 448 planned arguments" in first.output
    rows = arguments_in(db)
    assert len(rows) == len({r.request_key for r in rows}) == 448
    assert all(r.input_tokens > 0 and r.output_tokens > 0 and r.cost_usd > 0 for r in rows)
    assert {(r.model, r.generation) for r in rows} == {
        ("claude-haiku-5-5", "Claude Haiku 5.5"),
        ("claude-sonnet-5-5", "Claude Sonnet 5.5"),
    }
    assert min(standin.stats.faults[s] for s in (429, 529, 500)) > 0
    assert standin.stats.max_in_flight <= 8
    requests_after_first = sum(standin.stats.paths.values())
    second = runner.invoke(app, ["generate", str(study), "--db", db])
    assert second.exit_code == 0, second.output
    assert "Nothing to generate: every planned argument is stored." in second.output
    assert sum(standin.stats.paths.values()) == requests_after_first
    assert len(arguments_in(db)) == 448


def test_budget_exceeded_refuses_before_sending(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    study = make_study(extra="[arguments]\nbudget_usd = 0.01\n")
    result = runner.invoke(app, ["generate", str(study), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: estimated cost $0.12 (plus $0.00 already spent) is above the study's budget of "
        "$0.01; raise arguments.budget_usd in the study file or pass --over-budget"
    )
    assert standin.stats.paths["POST /v1/messages"] == 0
    allowed = runner.invoke(
        app, ["generate", str(study), "--db", str(tmp_path / "s.db"), "--over-budget"]
    )
    assert allowed.exit_code == 0 and "Generated 32 of 32" in allowed.output


def test_missing_api_key_is_one_error_line(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = runner.invoke(app, ["generate", str(make_study()), "--db", str(tmp_path / "k.db")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: ANTHROPIC_API_KEY is not set; export your API key (export "
        'ANTHROPIC_API_KEY=sk-...) or use an offline model (model = "offline/NAME") to try the '
        "pipeline without one"
    )


def test_unknown_model_and_strategy_field_are_one_line(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    bad_model = make_study(name="m", models=("anthropic/claude-nope",))
    result = runner.invoke(app, ["generate", str(bad_model), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown model 'anthropic/claude-nope' (writer 'w0')")
    extra = '[[strategies]]\nname = "mine"\ntemplate = "Argue {claim} in {n} words"\n'
    bad_field = make_study(name="f", strategies='["mine"]', extra=extra)
    result = runner.invoke(app, ["generate", str(bad_field), "--db", str(tmp_path / "f.db")])
    assert result.output.strip() == (
        "Error: strategy 'mine': unknown field {n} in its template; allowed fields: claim, "
        "topic, words_max, words_min"
    )
    assert standin.stats.messages == 0


def run_study(path: Path, db: str, options: RunOptions | None = None) -> GenerationSummary:
    with open_store(db) as store:
        loaded = load_and_register(store, str(path))
        return generate_all(store, loaded.study, loaded.study_id, options)


def test_failures_are_not_stored_and_a_rerun_sends_only_them(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.faults = (Fault(400, every=5),)
    study, db = make_study(), str(tmp_path / "f.db")
    first = run_study(study, db)
    assert first.failed == 6 and first.written == 26
    assert standin.stats.messages == 32  # 400 is not retried
    standin.behaviour.faults = ()
    second = run_study(study, db)
    assert (second.planned, second.written) == (6, 6)
    assert len(arguments_in(db)) == 32


def test_slow_answers_time_out_and_are_retried(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.slow_every, standin.behaviour.slow_seconds = 4, 2.0
    study = make_study(topics=1, extra="timeout_seconds = 0.3\n")  # extends [generation]
    summary = run_study(study, str(tmp_path / "t.db"))
    assert summary.written == 16 and summary.retries >= 1 and summary.failed == 0


def test_quality_failures_are_regenerated_then_kept_flagged(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.text = "I can't help with writing that essay."
    study = make_study(
        topics=1,
        models=("anthropic/claude-haiku-5-5",),
        strategies='["deceptive"]',
        extra='[quality]\non_fail = "regenerate"\nmax_attempts = 3\n',
    )
    summary = run_study(study, str(tmp_path / "q.db"))
    rows = arguments_in(str(tmp_path / "q.db"))
    assert summary.flagged == 2 and standin.stats.messages == 6
    assert {r.status for r in rows} == {"flagged"}
    assert rows[0].quality["failed"] == ["refusal", "length"]
    assert rows[0].quality["attempts"] == 3


def test_batch_mode_requeues_errored_and_expired_items_at_half_price(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path
) -> None:
    standin.behaviour.batch_errored_every, standin.behaviour.batch_expired_every = 5, 7
    standin.behaviour.batch_polls = 2
    study = make_study(extra='mode = "batch"\nbatch_poll_seconds = 0.01\n')  # in [generation]
    db = str(tmp_path / "b.db")
    summary = run_study(study, db)
    rows = arguments_in(db)
    assert summary.written == len(rows) == 32 and summary.failed == 0
    assert standin.stats.paths["POST /v1/messages/batches"] == 4  # 2 writers x 2 rounds
    assert standin.stats.messages == 0
    assert all(r.request_params["api"] == "batch" for r in rows)
    haiku = next(r for r in rows if r.model == "claude-haiku-5-5")
    assert haiku.cost_usd == pytest.approx(
        (haiku.input_tokens * 0.10 + haiku.output_tokens * 0.50) / 1e6 / 2
    )
    store = open_store(db)
    with store.session() as session:
        from study.store import GenerationBatchRow

        statuses = session.scalars(select(GenerationBatchRow.status)).all()
        total = session.scalar(select(func.count()).select_from(ArgumentRow))
    store.dispose()
    assert set(statuses) == {"collected"} and total == 32


def test_batch_run_after_a_crash_collects_instead_of_resubmitting(
    standin: StandIn, make_study: MakeStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arguments.batches

    study = make_study(extra='mode = "batch"\nbatch_poll_seconds = 0.01\n')  # in [generation]
    db = str(tmp_path / "crash.db")

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed while collecting")

    with monkeypatch.context() as patch:
        patch.setattr(arguments.batches, "collect", crash)
        with pytest.raises(RuntimeError, match="killed while collecting"):
            run_study(study, db)
    assert standin.stats.paths["POST /v1/messages/batches"] == 2
    assert arguments_in(db) == []
    summary = run_study(study, db)
    assert summary.written == 32 and len(arguments_in(db)) == 32
    assert standin.stats.paths["POST /v1/messages/batches"] == 2  # collected, not resubmitted
