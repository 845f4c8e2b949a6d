"""Conversation estimates on synthetic data with known effects: the format contrast of one
model, persuasion by turns and by words, their Findings, and a study without conversations."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import analyse
from analysis.conversations import by_turns, dose_response, format_contrasts
from analysis.findings import findings
from analysis.synthetic import SyntheticWriter, synthetic_ratings
from analysis.tables import fmt
from study import AnalysisPlan

EFFECT, GAIN = 0.3, 0.25
WRITERS = (
    SyntheticWriter("m-static", "model", EFFECT, "c", 1, 1, "static", "p/m"),
    SyntheticWriter("m-chat", "model", EFFECT, "c", 1, 1, "conversation", "p/m"),
    SyntheticWriter("human", "human", EFFECT),
)
# turns ~ uniform 1..6: the conversation's mean effect is EFFECT * (1 + GAIN * 2.5)
FORMAT_TRUTH = EFFECT * GAIN * 2.5


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return synthetic_ratings(
        n_claims=60, raters=20, writers=WRITERS, items_per_participant=3, seed=5, turn_gain=GAIN
    )


def test_format_contrast_and_dose_cover_the_truth(data: pd.DataFrame) -> None:
    [row] = format_contrasts(data).to_dict("records")
    assert (row["model"], row["writer"], row["static_writer"]) == ("p/m", "m-chat", "m-static")
    assert row["n_conversation"] == row["n_static"] == 1200
    assert row["ci_low"] < FORMAT_TRUTH < row["ci_high"] and row["ci_low"] > 0
    assert row["cluster"] == "claim+participant"
    dose = dose_response(data).set_index("measure")
    assert dose.loc["turns", "ci_low"] < EFFECT * GAIN < dose.loc["turns", "ci_high"]
    assert dose.loc["turns", "ci_low"] > 0
    assert (dose.loc["turns", "low"], dose.loc["turns", "high"]) == (1, 6)
    assert dose.loc["model_words_100", "slope"] > 0
    turns = by_turns(data)
    assert turns["turns"].tolist() == [1, 2, 3, 4, 5, 6]
    assert turns["n_ratings"].sum() == 1200


def test_a_conversation_of_fixed_length_has_no_slope(data: pd.DataFrame) -> None:
    fixed = data.assign(turns=data["turns"].where(data["turns"].isna(), 3))
    dose = dose_response(fixed).set_index("measure")
    assert pd.isna(dose.loc["turns", "slope"])
    assert dose.loc["turns", "note"] == "every conversation has the same turns: no slope"


def test_report_findings_compare_the_formats_of_one_model(data: pd.DataFrame) -> None:
    results = analyse(data, AnalysisPlan(bootstrap_resamples=500))
    assert set(results.estimates["writer"]) == {"m-static", "m-chat", "human"}
    assert "m-chat" in set(results.contrasts["writer"])  # the conversation arm vs the human
    texts = [f.text for f in findings(results) if f.section == "conversation"]
    row = results.format_contrasts.iloc[0]
    assert texts[0].startswith(
        f"m-chat (conversation) vs m-static (static), both p/m: {fmt(row['estimate'])} scale "
        f"points [95% CI {fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"
    )
    assert "the conversation is more persuasive than the static message" in texts[0]
    assert texts[1].startswith("m-chat: each further turn goes with")
    assert "associations, not effects" in texts[1]


def test_a_static_study_has_no_conversation_sections() -> None:
    results = analyse(synthetic_ratings(n_claims=8, seed=1), AnalysisPlan(bootstrap_resamples=200))
    assert results.format_contrasts.empty and results.dose.empty and results.by_turns.empty
    assert not any(f.section == "conversation" for f in findings(results))
    assert "format_contrasts" not in results.notes


def test_a_conversation_arm_without_its_static_twin_is_noted() -> None:
    alone = (WRITERS[1], WRITERS[2])
    data = synthetic_ratings(n_claims=10, raters=4, writers=alone, seed=2)
    results = analyse(data, AnalysisPlan(bootstrap_resamples=200))
    assert results.format_contrasts.empty and not results.dose.empty
    assert results.notes["format_contrasts"].startswith("no model has both a static and")


def test_the_scaling_trend_leaves_conversation_arms_out() -> None:
    from analysis import scaling_trend

    writers = (
        SyntheticWriter("g1", "model", 0.2, "c", 1, 1),
        SyntheticWriter("g2", "model", 0.4, "c", 2, 1),
        SyntheticWriter("g2-chat", "model", 1.5, "c", 2, 1, "conversation", "synthetic/g2"),
        SyntheticWriter("human", "human", 0.3),
    )
    data = synthetic_ratings(n_claims=30, raters=6, writers=writers, seed=3)
    with_chat = scaling_trend(data).set_index("level")
    without = scaling_trend(data[data["writer"] != "g2-chat"]).set_index("level")
    assert with_chat.loc["ratings", "slope"] == pytest.approx(without.loc["ratings", "slope"])
    assert with_chat.loc["ratings", "n"] == without.loc["ratings", "n"]
