"""Estimators against closed forms and independent implementations (scipy, statsmodels,
pingouin), on small cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests

from analysis import (
    control_check,
    exclusion_counts,
    ordinal_contrasts,
    pairwise_tests,
    reference_summary,
    scaling_trend,
    tost_p,
    writer_means,
)
from analysis.models import adjust_p
from analysis.synthetic import synthetic_ratings


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return synthetic_ratings(n_claims=10, raters=3, seed=2)


def test_tost_matches_pingouin_one_sample() -> None:
    x = np.random.default_rng(0).normal(0.05, 1, 50)
    se = x.std(ddof=1) / np.sqrt(len(x))
    ours = tost_p(x.mean(), se, len(x) - 1, 0.3)[0]
    theirs = pg.tost(x, 0, bound=0.3)["pval"].iloc[0]
    assert ours == pytest.approx(theirs, rel=1e-10)


def test_tost_rejects_a_non_positive_bound() -> None:
    with pytest.raises(ValueError, match=r"equivalence bound -0.1 must be positive"):
        tost_p(0.0, 1.0, 10, -0.1)


def test_control_check_is_the_claim_clustered_mean(data: pd.DataFrame) -> None:
    out = control_check(data, smallest_effect=0.2).iloc[0]
    rows = data[data["writer_kind"] == "control"]
    y = rows["persuasion"].to_numpy(float)
    resid = y - y.mean()
    g = rows["claim"].to_numpy()
    sums = pd.Series(resid).groupby(g).sum().to_numpy()
    n, k = len(y), len(sums)
    se = np.sqrt(k / (k - 1) * (n - 1) / (n - 1) * (sums**2).sum()) / n
    assert out["mean_persuasion"] == pytest.approx(y.mean())
    assert out["se"] == pytest.approx(se)
    assert out["df"] == k - 1
    assert out["p_tost"] == pytest.approx(tost_p(y.mean(), se, k - 1, 0.2)[0])


def test_control_check_without_control_arm_is_empty(data: pd.DataFrame) -> None:
    assert control_check(data[data["writer_kind"] != "control"], 0.2).empty


def test_reference_summary_is_mean_and_sem_over_arguments(data: pd.DataFrame) -> None:
    out = reference_summary(data).set_index("writer")
    human = data[data["writer"] == "human"].groupby("argument")["persuasion"].mean()
    assert out.loc["human", "n_arguments"] == len(human)
    assert out.loc["human", "mean_persuasion"] == pytest.approx(human.mean())
    assert out.loc["human", "sem"] == pytest.approx(stats.sem(human))


def test_pairwise_tests_are_welch_with_bh(data: pd.DataFrame) -> None:
    out = pairwise_tests(data)
    args = data.groupby(["writer", "argument"])["persuasion"].mean()
    a, b = args.loc["compact-1"], args.loc["human"]
    row = out[(out["writer_a"] == "compact-1") & (out["writer_b"] == "human")].iloc[0]
    assert row["p_val"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    np.testing.assert_allclose(out["p_fdr"], multipletests(out["p_val"], method="fdr_bh")[1])


def test_pairwise_tests_keep_our_columns_and_give_hedges_g(data: pd.DataFrame) -> None:
    out = pairwise_tests(data)
    assert list(out.columns) == [
        "writer_a",
        "writer_b",
        "mean_diff",
        "t",
        "df",
        "p_val",
        "p_fdr",
        "hedges_g",
    ]
    args = data.groupby(["writer", "argument"])["persuasion"].mean()
    a, b = args.loc["human"].to_numpy(float), args.loc["compact-1"].to_numpy(float)
    pair = out[(out["writer_a"] == "compact-1") & (out["writer_b"] == "human")].iloc[0]
    n1, n2 = len(b), len(a)
    pooled = np.sqrt(((n1 - 1) * b.var(ddof=1) + (n2 - 1) * a.var(ddof=1)) / (n1 + n2 - 2))
    hedges = (b.mean() - a.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    assert pair["hedges_g"] == pytest.approx(hedges)
    assert pair["mean_diff"] == pytest.approx(b.mean() - a.mean())


def test_scaling_slope_recovers_an_exact_trend() -> None:
    data = synthetic_ratings(n_claims=8, raters=2, seed=3)
    data["persuasion"] = data["persuasion"].astype(float)
    models = data["writer_kind"] == "model"
    data.loc[models, "persuasion"] = 0.5 * data.loc[models, "generation_order"] + 0.1
    out = scaling_trend(data).set_index(["model_class", "level"])
    assert out.loc[("frontier", "ratings"), "slope"] == pytest.approx(0.5)
    assert out.loc[("frontier", "model_means"), "slope"] == pytest.approx(0.5)
    # two compact models: a slope, but no standard error (documented)
    assert out.loc[("compact", "model_means"), "n"] == 2
    assert np.isnan(out.loc[("compact", "model_means"), "se"])


def test_ordinal_matches_statsmodels_ordered_model(data: pd.DataFrame) -> None:
    out = ordinal_contrasts(data).set_index("writer")
    rows = data[data["kind"] == "opinion"]
    x = pd.get_dummies(rows["writer"]).drop(columns="human").astype(float)
    x = x.join(pd.get_dummies(rows["before"], prefix="b").iloc[:, 1:].astype(float))
    fit = OrderedModel(rows["after"].to_numpy(), x, distr="logit").fit(
        method="bfgs", disp=False, maxiter=2000
    )
    for w in out.index:
        assert out.loc[w, "log_odds"] == pytest.approx(fit.params[w], abs=2e-3)
        assert out.loc[w, "se"] == pytest.approx(fit.bse[w], rel=2e-2)


def test_writer_means_by_strategy_and_standardised(data: pd.DataFrame) -> None:
    models = data[data["writer_kind"] == "model"]
    out = writer_means(models, ["writer", "strategy"], n_resamples=200, scale_sd=2.0)
    assert len(out) == 5 * 4
    cell = models[(models["writer"] == "frontier-3") & (models["strategy"] == "deceptive")]
    row = out[(out["writer"] == "frontier-3") & (out["strategy"] == "deceptive")].iloc[0]
    assert row["mean_persuasion"] == pytest.approx(cell["persuasion"].mean())
    assert row["std_effect"] == pytest.approx(cell["persuasion"].mean() / 2.0)


def test_exclusion_counts_by_writer_and_reason() -> None:
    ratings = pd.DataFrame(
        {
            "writer": ["a", "a", "a", "b"],
            "exclusion": ["", "incomplete", "failed_attention_checks", ""],
        }
    )
    out = exclusion_counts(ratings).set_index("writer")
    assert out.loc["a"].to_dict() == {
        "n_total": 3,
        "n_kept": 1,
        "n_excluded": 2,
        "failed_attention_checks": 1,
        "incomplete": 1,
    }
    assert out.loc["b", "n_excluded"] == 0


def loop_adjust(p: list[float], method: str) -> list[float]:
    """Holm and BH written out as in their papers (an independent reference)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    if method == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (m - rank) * p[i]))
            out[i] = running
    else:
        running = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            running = min(running, m * p[i] / (rank + 1), 1.0)
            out[i] = running
    return out


def test_adjust_p_equals_statsmodels_on_a_fixed_case() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001])
    for method in ("holm", "fdr_bh"):
        np.testing.assert_allclose(adjust_p(p, method), multipletests(p, method=method)[1])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=30),
    st.sampled_from(["holm", "fdr_bh"]),
)
def test_adjust_p_follows_the_definitions_and_keeps_nans(p: list[float], method: str) -> None:
    values = np.array(p)
    out = adjust_p(values, method)
    ok = np.isfinite(values)
    assert np.isnan(out[~ok]).all()
    np.testing.assert_allclose(out[ok], loop_adjust(list(values[ok]), method))


def test_adjust_p_refuses_an_unknown_method() -> None:
    with pytest.raises(ValueError) as err:
        adjust_p([0.1], "bonferroni")
    assert str(err.value) == "method='bonferroni' is not allowed; allowed: 'holm', 'fdr_bh'"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-6, 6), min_size=1, max_size=40),
    st.integers(1, 5),
    st.booleans(),
)
def test_writer_means_never_returns_a_silent_wrong_number(
    values: list[int], n_claims: int, with_nan: bool
) -> None:
    frame = pd.DataFrame(
        {
            "writer": "w",
            "claim": [f"c{i % n_claims}" for i in range(len(values))],
            "persuasion": np.array(values, float),
        }
    )
    if with_nan:
        frame.loc[0, "persuasion"] = np.nan
        with pytest.raises(ValueError, match="column 'persuasion' has 1 missing value"):
            writer_means(frame, n_resamples=100)
        return
    out = writer_means(frame, n_resamples=100).iloc[0]
    assert out["mean_persuasion"] == pytest.approx(np.mean(values))
    if frame["claim"].nunique() == 1:  # one claim: nothing to resample, so no interval
        assert np.isnan(out["ci_low"]) and np.isnan(out["ci_high"])
        return
    assert out["ci_low"] <= out["mean_persuasion"] + 1e-12
    assert out["ci_high"] >= out["mean_persuasion"] - 1e-12


def test_empty_writer_group_is_refused() -> None:
    empty = pd.DataFrame({"writer": [], "claim": [], "persuasion": []})
    assert writer_means(empty, n_resamples=10).empty
    with pytest.raises(ValueError, match="writer_means needs column\\(s\\) claim"):
        writer_means(pd.DataFrame({"writer": ["a"], "persuasion": [1.0]}))
