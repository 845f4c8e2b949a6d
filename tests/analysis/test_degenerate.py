"""Degenerate data (zero variance, writers without kept ratings, tiny control arms) give correct
numbers or a note, never a silent degenerate number: a property test over every estimator of
the analysis plan, and pinned examples of each case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analysis import analyse, control_check
from analysis.caveats import clean_pairwise
from analysis.pipeline import Results
from analysis.synthetic import DEFAULT_WRITERS, synthetic_ratings
from study.config import AnalysisPlan

PLAN = AnalysisPlan(bootstrap_resamples=100)
WRITERS = [w.id for w in DEFAULT_WRITERS]
# result table -> the note sections that may explain a blank (NaN) number in it
TABLE_NOTES = {
    "estimates": ("estimates",),
    "strategy_estimates": ("strategy_estimates",),
    "contrasts": ("contrasts",),
    "grid": ("grid",),
    "scaling": ("scaling", "scaling_model_means"),
    "control": ("control",),
    "pairwise": ("pairwise",),
    "starting": ("starting_rating",),
    "sensitivity": ("sensitivity",),
    "ordinal": ("ordinal",),
}
CHECKED = ("se", "ci_low", "ci_high", "p_val", "p_holm", "p_bh", "p_tost", "t", "p_fdr")


def degenerate_ratings(
    n_claims: int,
    flat: frozenset[str],
    excluded: frozenset[str],
    control_claims: int,
    control_zero: bool,
    seed: int,
) -> pd.DataFrame:
    """Synthetic ratings where the writers in `flat` never move (after = before), those in
    `excluded` have every rating excluded, and the control arm keeps `control_claims` claims
    (all at zero persuasion when `control_zero`)."""
    ratings = synthetic_ratings(n_claims=n_claims, raters=2, seed=seed)
    flat_rows = ratings["writer"].isin(flat)
    ratings.loc[flat_rows, "after"] = ratings.loc[flat_rows, "before"]
    control = ratings["writer"] == "control"
    facts = sorted(ratings.loc[control, "claim"].unique())[:control_claims]
    ratings = ratings[~control | ratings["claim"].isin(facts)].copy()
    control = ratings["writer"] == "control"
    if control_zero:
        ratings.loc[control, "after"] = ratings.loc[control, "before"]
    ratings["persuasion"] = ratings["direction"] * (ratings["after"] - ratings["before"])
    ratings.loc[ratings["writer"].isin(excluded), "exclusion"] = "incomplete"
    return ratings.reset_index(drop=True)


def assert_nothing_silently_degenerate(results: Results) -> None:
    for attr, sections in TABLE_NOTES.items():
        frame: pd.DataFrame = getattr(results, attr)
        if frame.empty:
            continue
        for col in (c for c in CHECKED if c in frame.columns):
            values = frame[col].to_numpy(float)
            if col.startswith("p_"):
                finite = values[np.isfinite(values)]
                assert ((finite >= 0) & (finite <= 1)).all(), (attr, col)
            if col == "se":
                assert not (values == 0).any(), f"{attr}: se 0 without a blank"
            if np.isnan(values).any():
                assert any(s in results.notes for s in sections), (
                    f"{attr}.{col} has a blank but no note in {sections}: {results.notes}"
                )
        if {"ci_low", "ci_high"} <= set(frame.columns):
            lo, hi = frame["ci_low"].to_numpy(float), frame["ci_high"].to_numpy(float)
            both = np.isfinite(lo) & np.isfinite(hi)
            assert (lo[both] <= hi[both]).all(), attr
            if (lo[both] == hi[both]).any():
                assert any(s in results.notes for s in sections), f"{attr}: zero-width CI"
    kept = set(results.data["writer"])
    for writer in set(results.ratings["writer"]) - kept:
        assert writer in results.notes["writers"]


# no shrinking: one analysis costs about a second here, and the failing example is printed
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
@given(
    n_claims=st.integers(2, 6),
    flat=st.frozensets(st.sampled_from(WRITERS), max_size=4),
    excluded=st.frozensets(st.sampled_from(WRITERS), max_size=3),
    control_claims=st.integers(0, 3),
    control_zero=st.booleans(),
    seed=st.integers(0, 3),
)
def test_every_estimator_gives_a_number_or_a_note(
    n_claims: int,
    flat: frozenset[str],
    excluded: frozenset[str],
    control_claims: int,
    control_zero: bool,
    seed: int,
) -> None:
    ratings = degenerate_ratings(n_claims, flat, excluded, control_claims, control_zero, seed)
    if ratings["exclusion"].eq("").sum() == 0:
        with pytest.raises(ValueError, match="no kept ratings to analyse"):
            analyse(ratings, PLAN)
        return
    assert_nothing_silently_degenerate(analyse(ratings, PLAN, writers=WRITERS))


def test_all_zero_control_arm_has_no_interval_and_a_note() -> None:
    ratings = degenerate_ratings(8, frozenset(), frozenset(), 3, True, 1)
    row = control_check(ratings, 0.2).iloc[0]
    assert row["mean_persuasion"] == 0
    assert np.isnan([row["se"], row["ci_low"], row["ci_high"], row["p_val"], row["p_tost"]]).all()
    assert not row["equivalent"]
    n = int(row["n_ratings"])
    assert row["note"] == (
        f"every control rating has persuasion 0 (no variation in {n} ratings on 3 claims), so "
        "its uncertainty cannot be estimated: the CI and tests are left blank; more control "
        "claims give an interval"
    )
    assert analyse(ratings, PLAN).notes["control"] == row["note"]


def test_control_arm_honours_confidence() -> None:
    ratings = synthetic_ratings(n_claims=12, raters=3, seed=5)
    plan = AnalysisPlan(bootstrap_resamples=100, confidence=0.99)
    got = analyse(ratings, plan).control
    pd.testing.assert_frame_equal(got, control_check(ratings, 0.2, confidence=0.99))
    default = control_check(ratings, 0.2)
    assert got["ci_high"].iloc[0] - got["ci_low"].iloc[0] > (
        default["ci_high"].iloc[0] - default["ci_low"].iloc[0]
    )


def test_identical_argument_means_blank_the_pairwise_test_with_a_note() -> None:
    ratings = degenerate_ratings(4, frozenset({"compact-1", "compact-2"}), frozenset(), 2, False, 0)
    results = analyse(ratings, PLAN)
    pair = results.pairwise.set_index(["writer_a", "writer_b"]).loc[("compact-1", "compact-2")]
    assert np.isnan([pair["t"], pair["df"], pair["p_val"], pair["p_fdr"]]).all()
    assert results.notes["pairwise"].startswith(
        "the Welch t-test is undefined for compact-1 vs compact-2:"
    )
    assert clean_pairwise(results.pairwise)[1] == results.notes["pairwise"]


def test_writer_without_kept_ratings_is_named() -> None:
    ratings = degenerate_ratings(4, frozenset(), frozenset({"frontier-2"}), 2, False, 0)
    results = analyse(ratings, PLAN, writers=[*WRITERS, "frontier-4"])
    n = int((ratings["writer"] == "frontier-2").sum())
    assert "frontier-2" not in set(results.estimates["writer"])
    assert results.notes["writers"] == (
        f"no kept ratings for frontier-2 ({n} ratings, all excluded: {n} incomplete); "
        "frontier-4 (no ratings), so these writers are in no estimate, contrast or trend; "
        "collect (or re-check the exclusions of) their ratings"
    )
