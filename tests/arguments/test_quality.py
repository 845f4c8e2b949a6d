"""Quality checks: length, refusals, hedging, empty and truncated texts, near-duplicates."""

import pytest

from arguments import check
from arguments.quality import shingles
from study.config import parse_study

STUDY = parse_study(
    '[study]\nname = "q"\n[[writers]]\nid = "m"\nkind = "model"\nmodel = "offline/x"\n'
    'strategies = ["deceptive"]\n[analysis]\nreference = "m"\n'
    "[arguments]\nwords_min = 100\nwords_max = 200\n"
)


def words(n: int, offset: int = 0) -> str:
    return " ".join(f"w{i + offset}" for i in range(n))


def test_a_good_text_passes() -> None:
    report = check(STUDY, words(150), "end_turn")
    assert report.ok and report.words == 150


@pytest.mark.parametrize(
    ("text", "stop", "failed"),
    [
        ("", "end_turn", ("empty",)),
        (words(150), "max_tokens", ("truncated",)),
        (words(50), "end_turn", ("length",)),
        (words(230), "end_turn", ("length",)),
        ("I cannot help with that. " + words(150), "end_turn", ("refusal",)),
        (words(150), "refusal", ("refusal",)),
        (words(140) + " There are valid arguments on both sides.", "end_turn", ("hedged",)),
    ],
)
def test_each_failure_is_named(text: str, stop: str, failed: tuple[str, ...]) -> None:
    assert check(STUDY, text, stop).failed == failed


def test_tolerance_widens_the_word_range() -> None:
    assert check(STUDY, words(91), "end_turn").ok  # 10 % below words_min
    assert check(STUDY, words(220), "end_turn").ok  # 10 % above words_max
    assert check(STUDY, words(89), "end_turn").failed == ("length",)


def test_near_duplicates_of_the_same_claim_are_flagged() -> None:
    first = words(150)
    near = first.replace("w7 ", "seven ")
    other = words(150, offset=1000)
    assert check(STUDY, near, "end_turn", [shingles(first)]).failed == ("near_duplicate",)
    assert check(STUDY, other, "end_turn", [shingles(first)]).ok


def test_similarity_is_jaccard_and_the_report_keeps_its_shingles() -> None:
    from arguments.quality import similarity

    first, near = words(150), words(150).replace("w7 ", "seven ")
    a, b = shingles(first), shingles(near)
    assert similarity(a, b) == pytest.approx(len(a & b) / len(a | b))
    assert similarity(a, frozenset()) == 0.0
    assert len(a) == 148  # one trigram per word after the first two
    assert check(STUDY, near, "end_turn").shingles == b
