from pathlib import Path

import pytest

from study.config import StudyFileError, load_study, parse_study
from study.examples import example_study_text, write_example


def test_example_study_parses_into_frozen_objects() -> None:
    study = parse_study(example_study_text("ex"))
    assert study.name == "ex"
    assert [w.id for w in study.writers] == ["compact-1", "compact-2", "frontier-1", "human"]
    assert study.writer("frontier-1").model_class == "frontier"
    with pytest.raises(Exception, match="frozen"):
        study.participants.per_argument = 5  # type: ignore[misc]


def error_of(text: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, "s.toml")
    return str(info.value)


def test_unknown_platform_names_key_and_allowed_values() -> None:
    text = example_study_text("ex").replace('platform = "simulated"', 'platform = "mturk"')
    assert error_of(text) == (
        "s.toml: recruitment.platform: 'mturk' is not allowed; "
        "allowed: 'simulated', 'link' or 'prolific'"
    )


def test_unknown_key_and_missing_required_key() -> None:
    text = example_study_text("ex").replace("seed = 2024", "sede = 2024")
    assert error_of(text) == (
        "s.toml: study.sede: unknown key; remove it or check its spelling (see `persuasion init`)"
    )
    assert error_of('[study]\nname = "x"\n') == (
        "s.toml: writers: missing; this key is required (see `persuasion init`)"
    )


def test_writer_errors_name_the_writer() -> None:
    text = example_study_text("ex").replace('model = "offline/compact-2"', 'model = "compact-2"')
    assert error_of(text) == (
        "s.toml: writers[1]: writer 'compact-2' needs model = \"provider/model\" (for example "
        '"offline/compact-1" or "anthropic/claude-haiku-4-5")'
    )
    text = example_study_text("ex").replace('writer = "compact-1"', 'writer = "nobody"')
    assert "control.writer = 'nobody' is not a model writer" in error_of(text)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    assert error_of("[study\n").startswith("s.toml: not valid TOML:")
    with pytest.raises(StudyFileError, match="no such study file; create one with"):
        load_study(tmp_path / "none.toml")


def test_relative_claim_path_resolves_against_study_file(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("id,topic,stance,kind,text\n", encoding="utf-8")
    path = write_example("ex", tmp_path)
    path.write_text(path.read_text().replace('claims = "default"', 'claims = "mine.csv"'))
    assert load_study(path).study.claims == str((tmp_path / "mine.csv").resolve())


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    write_example("ex", tmp_path)
    with pytest.raises(FileExistsError, match="already exists; choose another name or pass"):
        write_example("ex", tmp_path)
    with pytest.raises(ValueError, match="study name 'bad name' is not allowed"):
        example_study_text("bad name")
