"""Power planning by simulation."""

from __future__ import annotations

import pytest

from analysis import PowerModel, simulate_power, smallest_designs


def test_power_grows_with_claims_and_reaches_the_target() -> None:
    out = simulate_power([5, 60], [3], effect=0.4, reps=300, seed=1)
    low, high = out["power"].tolist()
    assert low < high
    assert high > 0.9
    best = smallest_designs(out, 0.9)
    assert best["n_claims"].tolist() == [60]


def test_difference_test_holds_its_size_when_there_is_no_difference() -> None:
    # a tiny effect: rejections close to alpha (5%), far from the powered case
    out = simulate_power([30], [3], effect=1e-6, reps=1000, seed=2)
    assert 0.02 <= out["power"].iloc[0] <= 0.09


def test_equivalence_needs_more_claims_than_it_has_with_few() -> None:
    model = PowerModel(interaction_sd=0.0)
    out = simulate_power([4, 80], [3], effect=0.3, model=model, test="equivalence", reps=300)
    assert out["power"].iloc[0] < out["power"].iloc[1]


def test_bad_options_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError) as err:
        simulate_power([10], [3], 0.2, test="superiority")  # type: ignore[arg-type]
    assert str(err.value) == (
        "test='superiority' is not allowed; allowed: 'difference', 'equivalence'"
    )
    with pytest.raises(ValueError, match=r"n_claims \[1\] too small"):
        simulate_power([1], [3], 0.2)
    with pytest.raises(ValueError, match="effect=0 must be positive"):
        simulate_power([10], [3], 0)


def test_each_simulated_study_is_analysed_by_the_primary_ancova() -> None:
    import numpy as np
    import pandas as pd

    from analysis import ancova_contrasts
    from analysis.power import _ancova_p, _ratings

    rng = np.random.default_rng(5)
    p = PowerModel()
    mu = np.clip(rng.normal(4, p.claim_sd, (1, 12)), 2, 6)
    model = _ratings(rng, mu, np.full((1, 12), 0.5), p.model_arguments, 2, p)
    human = _ratings(rng, mu, np.full((1, 12), 0.3), p.human_arguments, 2, p)
    rows = []
    for writer, (before, after) in (("m", model), ("human", human)):
        for (c, _, _), b in np.ndenumerate(before[0]):
            rows.append({"claim": f"c{c}", "writer": writer, "before": b})
        for i, a in enumerate(after[0].ravel()):
            rows[len(rows) - after[0].size + i]["after"] = a
    data = pd.DataFrame(rows).assign(
        participant=lambda d: np.arange(len(d)),
        writer_kind=lambda d: np.where(d["writer"] == "m", "model", "human"),
        kind="opinion",
        direction=1,
    )
    primary = ancova_contrasts(data, "human", smallest_effect=0.2, cluster="claim")
    row = primary.iloc[0]
    first = (model[0][0], model[1][0]), (human[0][0], human[1][0])
    assert _ancova_p(*first, 0.2, "difference") == pytest.approx(row["p_val"], rel=1e-10)
    assert _ancova_p(*first, 0.2, "equivalence") == pytest.approx(row["p_tost"], rel=1e-10)
