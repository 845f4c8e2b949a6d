from pathlib import Path

import pytest

from claims import ClaimSetError, load_claim_set


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ClaimSetError) as info:
        load_claim_set(path)
    return [str(p) for p in info.value.problems]


GOOD_YAML = """name: tiny
claims:
  - id: a-support
    topic: a
    stance: support
    kind: opinion
    text: "A is good."
  - id: a-oppose
    topic: a
    stance: oppose
    kind: opinion
    text: "A is bad."
  - id: control-sky
    topic: control-sky
    stance: fact
    kind: control
    text: "The sky is above the ground."
"""


def test_bundled_default_set_is_large_enough_and_valid() -> None:
    claim_set = load_claim_set("default")
    assert len(claim_set.topics) >= 28
    assert len(claim_set.opinion) == 2 * len(claim_set.topics)
    assert len(claim_set.control) >= 12
    assert {c.stance for c in claim_set.control} == {"fact"}


def test_yaml_set_loads_with_name_and_hash(tmp_path: Path) -> None:
    claim_set = load_claim_set(write(tmp_path, "tiny.yaml", GOOD_YAML))
    assert claim_set.name == "tiny"
    assert [c.id for c in claim_set.claims] == ["a-support", "a-oppose", "control-sky"]
    assert len(claim_set.content_hash) == 64


def test_hash_depends_on_content_not_format(tmp_path: Path) -> None:
    csv_text = (
        "id,topic,stance,kind,text\n"
        "a-support,a,support,opinion,A is good.\n"
        "a-oppose,a,oppose,opinion,A is bad.\n"
        "control-sky,control-sky,fact,control,The sky is above the ground.\n"
    )
    from_yaml = load_claim_set(write(tmp_path, "tiny.yaml", GOOD_YAML))
    from_csv = load_claim_set(write(tmp_path, "tiny.csv", csv_text))
    assert from_yaml.content_hash == from_csv.content_hash
    changed = load_claim_set(write(tmp_path, "x.csv", csv_text.replace("A is bad", "A is poor")))
    assert changed.content_hash != from_csv.content_hash


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    text = GOOD_YAML.replace("id: a-oppose", "id: a-support")
    path = write(tmp_path, "dup.yaml", text)
    assert f"{path}:8: duplicate id 'a-support' (first at line 3); ids must be unique" in (
        problems(path)
    )


def test_topic_without_both_stances(tmp_path: Path) -> None:
    path = write(tmp_path, "half.csv", "id,topic,stance,kind,text\nb1,b,support,opinion,B.\n")
    assert problems(path) == [
        f"{path}:2: topic 'b' has no oppose claim; every opinion topic needs one supporting "
        "and one opposing claim"
    ]


def test_empty_text_and_unknown_kind_are_reported_with_lines(tmp_path: Path) -> None:
    text = GOOD_YAML.replace('text: "A is bad."', 'text: ""').replace(
        "kind: control", "kind: trivia"
    )
    path = write(tmp_path, "bad.yaml", text)
    found = problems(path)
    assert f"{path}:8: empty text in claim 'a-oppose'" in found
    assert f"{path}:13: unknown kind 'trivia'; allowed: opinion, control" in found


def test_csv_line_numbers_count_multiline_fields(tmp_path: Path) -> None:
    text = (
        "id,topic,stance,kind,text\n"
        'a-support,a,support,opinion,"A is good,\nvery good."\n'
        "a-oppose,a,oppose,opinion,A is bad.\n"
        "c,control-c,support,control,Fact.\n"
    )
    path = write(tmp_path, "multi.csv", text)
    assert problems(path) == [f"{path}:5: control claim 'c' must have stance 'fact'"]


def test_missing_column_and_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "cols.csv", "id,topic,text\nx,y,z\n")
    assert problems(path) == [
        f"{path}:1: missing column(s) stance, kind; the header must be id,topic,stance,kind,text"
    ]
    other = write(tmp_path, "claims.txt", "x")
    assert problems(other) == [f"{other}:0: unknown file type '.txt'; use .yaml, .yml or .csv"]


def test_invalid_yaml_points_at_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "claims:\n  - id: [unclosed\n")
    (msg,) = problems(path)
    assert msg.startswith(f"{path}:3: not valid YAML")
