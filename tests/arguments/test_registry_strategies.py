"""The model registry and strategies as data, and the errors that name the fix."""

from pathlib import Path

import pytest

from arguments import (
    GenerationError,
    bundled_models,
    bundled_strategies,
    model_for,
    strategies_for,
)
from study.config import Study, parse_study

STUDY = """
[study]
name = "s"
[[writers]]
id = "m"
kind = "model"
model = "{model}"
strategies = ["{strategy}"]
[analysis]
reference = "m"
{extra}
"""


def study(
    model: str = "anthropic/claude-haiku-5-5", strategy: str = "deceptive", extra: str = ""
) -> Study:
    return parse_study(STUDY.format(model=model, strategy=strategy, extra=extra))


def test_bundled_strategies_are_the_four_of_the_reference_study_plus_control() -> None:
    names = set(bundled_strategies())
    assert {"compelling_case", "expert_rhetorics", "logical_reasoning", "deceptive"} < names
    assert "control" in names
    assert len({s.prompt_hash for s in bundled_strategies().values()}) == len(names)


def test_registry_has_current_and_retired_models_with_prices() -> None:
    models = {m.id: m for m in bundled_models()}
    haiku = models["anthropic/claude-haiku-5-5"]
    assert (haiku.model_class, haiku.retired) == ("compact", False)
    assert haiku.cost(1_000_000, 1_000_000) == pytest.approx(0.60)
    assert haiku.cost(1_000_000, 1_000_000, batch=True) == pytest.approx(0.30)
    assert models["anthropic/claude-3-opus-20240229"].retired


def test_writer_takes_labels_from_the_registry() -> None:
    s = study()
    info = model_for(s, s.writers[0])
    assert (info.generation, info.model_class, info.order) == ("Claude Haiku 5.5", "compact", 2)


def test_unknown_model_names_the_fix() -> None:
    s = study(model="anthropic/claude-nope")
    with pytest.raises(GenerationError) as err:
        model_for(s, s.writers[0])
    assert str(err.value).startswith("unknown model 'anthropic/claude-nope' (writer 'm'); known ")
    assert str(err.value).endswith("; or add it under [[models]] in the study file")


def test_study_can_add_a_model_with_prices() -> None:
    extra = (
        '[[models]]\nid = "anthropic/claude-next"\ngeneration = "Next"\nclass = "frontier"\n'
        "order = 9\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n"
    )
    s = study(model="anthropic/claude-next", extra=extra)
    assert model_for(s, s.writers[0]).cost(10**6, 10**6) == pytest.approx(3.0)


def test_retired_model_points_to_replay() -> None:
    s = study(model="anthropic/claude-3-opus-20240229")
    with pytest.raises(GenerationError, match=r"is retired and cannot be called; replay its"):
        model_for(s, s.writers[0])


def test_unknown_strategy_and_unknown_field_name_the_fix() -> None:
    with pytest.raises(GenerationError) as err:
        strategies_for(study(strategy="shouting"))
    assert "unknown strategy 'shouting'; known strategies: compelling_case" in str(err.value)
    extra = '[[strategies]]\nname = "mine"\ntemplate = "Argue {claim} in {word_count} words"\n'
    with pytest.raises(GenerationError) as err:
        strategies_for(study(strategy="mine", extra=extra))
    assert str(err.value) == (
        "strategy 'mine': unknown field {word_count} in its template; allowed fields: "
        "claim, topic, words_max, words_min"
    )


def test_custom_strategy_is_rendered_and_hashed() -> None:
    extra = '[[strategies]]\nname = "mine"\ntemplate = "Argue for {claim} ({topic})."\n'
    mine = strategies_for(study(strategy="mine", extra=extra))["mine"]
    assert mine.render(claim="X", topic="t") == "Argue for X (t)."
    assert mine.system == bundled_strategies()["deceptive"].system
    assert len(mine.prompt_hash) == 64


def test_data_files_are_package_data() -> None:
    import arguments

    folder = Path(arguments.__file__).parent / "data"
    assert {p.name for p in folder.glob("*.yaml")} == {"models.yaml", "strategies.yaml"}
