"""The rules for changing a stored study (study.config_changes): what the data already
collected allows, key by key."""

from study import Collected, parse_study
from study.config_changes import compare, flatten, refusal
from tests.flows.small_study import study_toml

NOTHING = Collected()
WRITTEN = Collected(frozenset({("gen-1", "compelling_case"), ("human", "")}))
FIELDED = Collected(WRITTEN.generated, fielded=True, most_ratings=2)


def changes(edit: tuple[str, str], have: Collected, models: int = 2) -> dict[str, str]:
    text = study_toml("small", models)
    assert edit[0] in text
    old, new = parse_study(text), parse_study(text.replace(*edit))
    return {c.key: c.refused for c in compare(old, new, have)}


def test_keyed_tables_flatten_by_their_id() -> None:
    flat = flatten(parse_study(study_toml("small")))
    assert flat["writers.gen-2.model"] == "offline/gen-2"
    assert flat["participants.per_argument"] == 2
    assert "writers.gen-2" in flat and "writers.1.model" not in flat


def test_before_anything_is_collected_every_change_is_allowed() -> None:
    assert changes(('model = "offline/gen-1"', 'model = "offline/other"'), NOTHING) == {
        "writers.gen-1.model": ""
    }
    assert changes(("per_argument = 2", "per_argument = 1"), NOTHING) == {
        "participants.per_argument": ""
    }


def test_once_written_the_arguments_inputs_are_refused() -> None:
    assert changes(('model = "offline/gen-1"', 'model = "offline/other"'), WRITTEN) == {
        "writers.gen-1.model": "the writer's stored arguments were written with it"
    }
    assert changes(('claims = "small.yaml"', 'claims = "default"'), WRITTEN) == {
        "study.claims": "stored arguments were written with it"
    }
    # a writer without arguments yet may still change
    assert changes(('model = "offline/gen-2"', 'model = "offline/other"'), WRITTEN) == {
        "writers.gen-2.model": ""
    }


def test_a_writer_added_is_one_allowed_change_and_one_removed_is_refused() -> None:
    text = study_toml("small", models=1)
    more = parse_study(study_toml("small", models=2))
    added = compare(parse_study(text), more, FIELDED)
    assert [(c.key, c.refused) for c in added] == [("writers.gen-2", "")]
    removed = compare(more, parse_study(text), Collected(frozenset({("gen-2", "x")})))
    assert [(c.key, c.refused) for c in removed] == [
        ("writers.gen-2", "the writer has stored arguments")
    ]


def test_strategies_may_be_added_but_not_dropped_once_used() -> None:
    add = ('strategies = ["compelling_case"]', 'strategies = ["compelling_case", "other"]')
    assert set(changes(add, WRITTEN).values()) == {""}
    drop = ('strategies = ["compelling_case"]', 'strategies = ["other"]')
    assert changes(drop, WRITTEN)["writers.gen-1.strategies"] == (
        "stored arguments use strategy compelling_case"
    )


def test_ratings_per_argument_may_go_up_or_down_to_what_is_collected() -> None:
    assert changes(("per_argument = 2", "per_argument = 5"), FIELDED) == {
        "participants.per_argument": ""
    }
    assert changes(("per_argument = 2", "per_argument = 1"), FIELDED) == {
        "participants.per_argument": "some arguments already have 2 ratings; keep at least that"
    }


def test_once_fielded_the_seed_survey_and_unlisted_keys_are_refused_schedules_are_not() -> None:
    seed = changes(("[study]", "[study]\nseed = 7"), FIELDED)
    assert seed == {"study.seed": "a wave was opened with it"}
    assert changes(("[study]", "[study]\nseed = 7"), WRITTEN) == {"study.seed": ""}
    survey = changes(("[analysis]", '[survey]\ntitle = "Other"\n[analysis]'), FIELDED)
    assert survey == {"survey.title": "a wave was opened with it"}
    later = changes(("[analysis]", '[schedules]\nsync = "*/9 * * * *"\n[analysis]'), FIELDED)
    assert later == {"schedules.sync": ""}
    report = changes(("bootstrap_resamples = 200", "bootstrap_resamples = 500"), FIELDED)
    assert report == {"analysis.bootstrap_resamples": ""}


def test_places_may_only_go_up_once_fielded() -> None:
    base = ("[analysis]", "[recruitment]\nplaces = 10\n[analysis]")
    text = study_toml("small").replace(*base)
    old = parse_study(text)
    up = parse_study(text.replace("places = 10", "places = 20"))
    down = parse_study(text.replace("places = 10", "places = 5"))
    assert [c.refused for c in compare(old, up, FIELDED)] == [""]
    assert [c.refused for c in compare(old, down, FIELDED)] == [
        "a wave was opened with more places; places may only go up"
    ]


def test_claim_set_content_is_compared_by_hash() -> None:
    study = parse_study(study_toml("small"))
    (change,) = compare(study, study, WRITTEN, ("a" * 64, "b" * 64))
    assert (change.key, change.old, change.new) == (
        "study.claims (content)",
        "sha256 aaaaaaaaaaaa",
        "sha256 bbbbbbbbbbbb",
    )
    assert change.refused == "stored arguments were written with it"


def test_the_refusal_names_the_key_and_the_fix() -> None:
    study = parse_study(study_toml("small"))
    found = compare(
        study, parse_study(study_toml("small").replace("[study]", "[study]\nseed = 1")), FIELDED
    )
    assert refusal("s.toml", found) == (
        "s.toml: study.seed cannot change from 2024 to 1: a wave was opened with it; undo it, "
        "or give the study a new name (study.name) to start a new study; the stored one and "
        "its data stay as they are"
    )
    assert refusal("s.toml", [c for c in found if not c.refused]) == ""
