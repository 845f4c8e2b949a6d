"""The primary ANCOVA against statsmodels' formula interface, multiplicity corrections against
their definitions, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from analysis import ancova_contrasts, strategy_grid
from analysis.synthetic import synthetic_ratings


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return synthetic_ratings(n_claims=12, raters=2, items_per_participant=1, seed=5)


def formula_fit(rows: pd.DataFrame, groups: np.ndarray) -> pd.DataFrame:
    fit = smf.ols(
        "after ~ C(writer, Treatment(reference='human')) + C(before) + C(claim)", data=rows
    ).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    with np.errstate(invalid="ignore"):  # claim effects' clustered variances are not estimable
        table = pd.DataFrame({"estimate": fit.params, "se": fit.bse, "p_val": fit.pvalues})
    table = table[table.index.str.startswith("C(writer")]
    table.index = table.index.str.extract(r"\[T\.(.*)\]")[0]
    return table


def test_one_way_clustering_matches_statsmodels_formula(data: pd.DataFrame) -> None:
    out = ancova_contrasts(data).set_index("writer")
    rows = data[data["kind"] == "opinion"].reset_index(drop=True)
    ref = formula_fit(rows, pd.factorize(rows["claim"])[0])
    assert set(out["cluster"]) == {"claim"}
    for col in ("estimate", "se", "p_val"):
        np.testing.assert_allclose(out.loc[ref.index, col], ref[col], rtol=1e-8)
    assert (out["df"] == rows["claim"].nunique() - 1).all()


def test_two_way_clustering_when_participants_rate_several_items() -> None:
    data = synthetic_ratings(n_claims=12, raters=2, items_per_participant=3, seed=6)
    out = ancova_contrasts(data).set_index("writer")
    rows = data[data["kind"] == "opinion"].reset_index(drop=True)
    groups = np.column_stack([pd.factorize(rows["claim"])[0], pd.factorize(rows["participant"])[0]])
    ref = formula_fit(rows, groups)
    assert set(out["cluster"]) == {"claim+participant"}
    np.testing.assert_allclose(out.loc[ref.index, "se"], ref["se"], rtol=1e-8)


def test_holm_and_bh_follow_their_definitions(data: pd.DataFrame) -> None:
    out = ancova_contrasts(data)
    np.testing.assert_allclose(out["p_holm"], multipletests(out["p_val"], method="holm")[1])
    grid = strategy_grid(data)
    assert len(grid) == 5 * 4
    np.testing.assert_allclose(grid["p_bh"], multipletests(grid["p_val"], method="fdr_bh")[1])
    assert set(grid["strategy"]) == {
        "compelling_case",
        "expert_rhetorics",
        "logical_reasoning",
        "deceptive",
    }


def test_direction_minus_one_is_mirrored_not_ignored(data: pd.DataFrame) -> None:
    flipped = data.copy()
    opinion = flipped["kind"] == "opinion"
    flipped.loc[opinion, "direction"] = -1
    flipped.loc[opinion, "before"] = 8 - flipped.loc[opinion, "before"]
    flipped.loc[opinion, "after"] = 8 - flipped.loc[opinion, "after"]
    a = ancova_contrasts(data)
    b = ancova_contrasts(flipped)
    np.testing.assert_allclose(a["estimate"], b["estimate"])


def test_unknown_reference_names_the_choices(data: pd.DataFrame) -> None:
    with pytest.raises(ValueError) as err:
        ancova_contrasts(data, reference="humans")
    assert str(err.value) == (
        "reference='humans' has no ratings on opinion claims; choose one of: compact-1, "
        "compact-2, frontier-1, frontier-2, frontier-3, human"
    )


def test_one_claim_cannot_be_clustered(data: pd.DataFrame) -> None:
    one = data[data["claim"] == "c0"]
    with pytest.raises(ValueError, match="clustered standard errors need at least 2 clusters"):
        ancova_contrasts(one)


def test_unknown_cluster_option_lists_allowed(data: pd.DataFrame) -> None:
    with pytest.raises(ValueError) as err:
        ancova_contrasts(data, cluster="participant")  # type: ignore[arg-type]
    assert str(err.value) == (
        "cluster='participant' is not allowed; allowed: 'auto', 'claim', 'claim+participant', "
        "'none'"
    )


def test_all_ratings_at_the_bound_is_an_error_not_a_number(data: pd.DataFrame) -> None:
    stuck = data.assign(before=7, after=7, persuasion=0)
    with pytest.raises(ValueError, match="every after-rating is 7"):
        ancova_contrasts(stuck)


def test_ci_covers_the_true_difference_about_95_percent() -> None:
    rng = np.random.default_rng(11)
    hits, reps, truth = 0, 150, 0.3
    for _ in range(reps):
        n_claims, per = 15, 12
        claim = np.repeat(np.arange(n_claims), 2 * per)
        writer = np.tile(np.repeat(["human", "model"], per), n_claims)
        before = rng.integers(2, 7, len(claim))
        claim_writer = rng.normal(0, 0.2, (n_claims, 2))[claim, (writer == "model").astype(int)]
        after = before + truth * (writer == "model")
        after = after + claim_writer + rng.normal(0, 1, len(claim))
        frame = pd.DataFrame(
            {
                "claim": claim,
                "participant": np.arange(len(claim)),
                "writer": writer,
                "writer_kind": np.where(writer == "human", "human", "model"),
                "kind": "opinion",
                "before": before,
                "after": after,
                "direction": 1,
            }
        )
        row = ancova_contrasts(frame).iloc[0]
        hits += row["ci_low"] <= truth <= row["ci_high"]
    assert 0.88 <= hits / reps <= 0.99


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=2, max_size=40),
)
def test_small_or_degenerate_data_give_an_error_or_finite_estimates(
    n_claims: int, pairs: list[tuple[int, int]]
) -> None:
    frame = pd.DataFrame(
        {
            "claim": [f"c{i % n_claims}" for i in range(len(pairs))],
            "participant": range(len(pairs)),
            "writer": ["human" if i % 2 else "model" for i in range(len(pairs))],
            "kind": "opinion",
            "before": [b for b, _ in pairs],
            "after": [a for _, a in pairs],
            "direction": 1,
        }
    )
    frame["writer_kind"] = np.where(frame["writer"] == "human", "human", "model")
    try:
        out = ancova_contrasts(frame)
    except ValueError as exc:
        assert str(exc)  # a clear message, never a traceback from deep inside
        return
    assert np.isfinite(out["estimate"]).all()


def test_writer_confounded_with_its_claims_is_refused(data: pd.DataFrame) -> None:
    alone = data[(data["writer"] != "frontier-3") | (data["claim"] == "c0")]
    alone = alone[(alone["claim"] != "c0") | (alone["writer"] == "frontier-3")]
    with pytest.raises(ValueError) as err:
        ancova_contrasts(alone)
    assert str(err.value).startswith(
        "frontier-3 cannot be estimated: confounded with the claims or starting ratings"
    )
