"""The one exclusion rule set: the minimum reading time, the reasons and their order, and the
quality rules of fieldwork agreeing with the analysis's ratings table on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import ratings_table
from fieldwork.sync import open_fieldwork, sync_fieldwork
from study.config import Exclusions
from study.exclusions import REASONS, SessionFacts, exclusion, min_reading_ms
from study.store import Store
from study.store.repo import current_wave
from tests.support.field_data import add_session, argument_ids, session_row, tiny_study

RULES = Exclusions(max_failed_attention_checks=1, min_reading_fraction=0.5)


def test_minimum_reading_time_is_words_at_the_reading_speed_rounded_up_with_a_floor() -> None:
    assert min_reading_ms(250, 400) == 37_500
    assert min_reading_ms(1, 7) == 8_572  # 8571.43 ms, rounded up
    assert min_reading_ms(2, 400, floor_seconds=10) == 10_000
    assert min_reading_ms(250, 400, floor_seconds=10) == 37_500
    with pytest.raises(ValueError, match="words_per_minute must be positive, got 0"):
        min_reading_ms(250, 0)


def test_one_vocabulary_of_reasons() -> None:
    assert REASONS == (
        "failed_attention_checks",
        "read_too_fast",
        "incomplete",
        "returned",
        "timed_out",
        "conversation_failed",
    )


@pytest.mark.parametrize(
    ("facts", "rated", "reason"),
    [
        (SessionFacts("completed", 0, (20_000,), (15_000,)), True, ""),
        (SessionFacts("completed", 0, (20_000,), (15_000,)), False, "incomplete"),
        (SessionFacts("active", 0, (20_000,), (15_000,)), True, "incomplete"),
        (SessionFacts("active", 0, (1_000,), (15_000,)), False, "read_too_fast"),
        (SessionFacts("completed", 1, (7_499, None), (15_000, 15_000)), True, "read_too_fast"),
        (SessionFacts("completed", 0, (7_500,), (15_000,)), True, ""),
        (SessionFacts("active", 2, (1_000,), (15_000,)), False, "failed_attention_checks"),
        (SessionFacts("active", 2, (1_000,), (15_000,), "returned"), True, "returned"),
    ],
)
def test_first_matching_reason_wins(facts: SessionFacts, rated: bool, reason: str) -> None:
    assert exclusion(facts, RULES, rated) == reason


def test_reading_rule_is_off_without_a_fraction() -> None:
    assert exclusion(SessionFacts("completed", 0, (1,), (15_000,)), Exclusions()) == ""


def test_quality_rules_and_ratings_table_give_the_same_reasons(
    store: Store, tmp_path: Path
) -> None:
    loaded = tiny_study(store, tmp_path, platform="link", name="agree")
    open_fieldwork(store, loaded)
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        assert wave is not None
        wid = wave.id
    args = argument_ids(store, loaded.study_id)
    # 100 words at 400 words per minute: 15 s; half of it is the limit
    sessions = {
        "read_too_fast": add_session(store, loaded.study_id, wid, args[:2], reading_ms=7_499),
        "": add_session(store, loaded.study_id, wid, args[2:], reading_ms=7_500),
        "failed_attention_checks": add_session(
            store, loaded.study_id, wid, args[:2], failed_checks=2, reading_ms=1_000
        ),
    }
    before = ratings_table(store, loaded.study_id)
    sync_fieldwork(store, loaded)
    after = ratings_table(store, loaded.study_id)
    for reason, sid in sessions.items():
        assert session_row(store, sid)[2] == reason
        assert set(before.loc[before["session"] == sid, "exclusion"]) == {reason}
    assert after["exclusion"].tolist() == before["exclusion"].tolist()
