"""effects.csv: Hedges' g per contrast and wave reproduces a hand computation on the published
sample; the random-effects pooling across waves agrees with statsmodels' meta-analysis."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from analysis import analyse, build_report, load_stored_study
from analysis.effects import effect_sizes, hedges_g, pool_waves
from analysis.synthetic import synthetic_ratings
from study.config import AnalysisPlan
from study.importers import import_anthropic
from study.store import Store

NAMES = {
    "Claude 3 Opus": "claude-3-opus",
    "Claude Instant 1.2": "claude-instant-1.2",
    "Claude 3 Haiku": "claude-3-haiku",
    "Claude 1.3": "claude-1.3",
    "Claude 2": "claude-2",
}


def hand_g(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Hedges' g and its SE from the textbook formulas (Borenstein et al. 2009, ch. 4)."""
    n1, n2 = len(x), len(y)
    s = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    d = (x.mean() - y.mean()) / s
    j = 1 - 3 / (4 * (n1 + n2 - 2) - 1)
    var_d = (n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))
    return j * d, j * math.sqrt(var_d)


def test_effects_csv_reproduces_hand_computed_hedges_g_on_the_sample(
    tmp_path: Path, store: Store, sqlite_url: str, sample_csv: Path
) -> None:
    import_anthropic(store, sample_csv, "sample")
    stored = load_stored_study(sqlite_url, "sample")
    build_report(stored.ratings, stored.study, tmp_path, simulated=False)
    effects = pd.read_csv(tmp_path / "effects.csv", keep_default_na=False, na_values=[""])
    raw = pd.read_csv(sample_csv, keep_default_na=False)
    human = raw.loc[raw["source"] == "Human", "persuasiveness_metric"].to_numpy(float)
    primary = effects[effects["family"] == "primary"].set_index("writer")
    assert set(primary.index) == set(NAMES.values())
    for source, writer in NAMES.items():
        x = raw.loc[raw["source"] == source, "persuasiveness_metric"].to_numpy(float)
        g, se = hand_g(x, human)
        row = primary.loc[writer]
        assert row["contrast"] == f"{writer} vs human"
        assert (row["n_writer"], row["n_reference"], row["wave"]) == (len(x), len(human), 1)
        assert row["hedges_g"] == pytest.approx(g, rel=1e-12)
        assert row["hedges_g_se"] == pytest.approx(se, rel=1e-12)
        assert row["raw_diff"] == pytest.approx(x.mean() - human.mean(), rel=1e-12)
        raw_se = math.sqrt(x.var(ddof=1) / len(x) + human.var(ddof=1) / len(human))
        assert row["raw_se"] == pytest.approx(raw_se, rel=1e-12)
    opus = primary.loc["claude-3-opus"]
    assert (opus["model_class"], opus["generation"], opus["generation_order"]) == (
        "frontier",
        "Claude 3 Opus",
        3,
    )
    grid = effects[(effects["family"] == "grid") & (effects["writer"] == "claude-2")]
    deceptive = raw[(raw["source"] == "Claude 2") & (raw["prompt_type"] == "Deceptive")]
    g, _ = hand_g(deceptive["persuasiveness_metric"].to_numpy(float), human)
    assert grid.set_index("strategy").loc["deceptive", "hedges_g"] == pytest.approx(g)
    assert not (tmp_path / "pooled_effects.csv").read_text().strip().split("\n")[1:]


def two_waves() -> pd.DataFrame:
    first = synthetic_ratings(n_claims=8, raters=2, seed=1)
    second = synthetic_ratings(n_claims=8, raters=2, seed=2).assign(wave=2)
    second["participant"] += first["participant"].max() + 1
    return pd.concat([first, second], ignore_index=True)


def test_pooling_across_waves_matches_statsmodels_dersimonian_laird() -> None:
    effects = effect_sizes(two_waves())
    assert set(effects["wave"]) == {1, 2}
    pooled = pool_waves(effects).set_index("contrast")
    assert set(pooled.index) == {f"{w} vs human" for w in effects["writer"].unique()}
    positive = 0
    for contrast, row in pooled.iterrows():
        waves = effects[(effects["contrast"] == contrast) & (effects["family"] == "primary")]
        with np.errstate(invalid="ignore"):  # statsmodels' HKSJ columns with a negative tau2
            ref = combine_effects(
                waves["hedges_g"].to_numpy(), waves["hedges_g_se"].to_numpy() ** 2, method_re="dl"
            )
            frame = ref.summary_frame()
        # DerSimonian-Laird truncates a negative tau2 at 0 (then random = fixed effect);
        # statsmodels reports the untruncated moment estimate.
        kind = "random effect" if ref.tau2 > 0 else "fixed effect"
        assert row["hedges_g"] == pytest.approx(frame.loc[kind, "eff"], rel=1e-10)
        assert row["se"] == pytest.approx(frame.loc[kind, "sd_eff"], rel=1e-10)
        assert row["tau2"] == pytest.approx(max(ref.tau2, 0.0), abs=1e-12)
        assert row["q"] == pytest.approx(ref.q, rel=1e-10)
        positive += ref.tau2 > 0
        assert row["k_waves"] == 2
    assert 0 < positive < len(pooled)  # both branches of the estimator are exercised


def test_report_shows_pooled_effects_when_several_waves(tmp_path: Path) -> None:
    results = analyse(two_waves(), AnalysisPlan(bootstrap_resamples=100))
    assert len(results.pooled_effects) == 5
    from analysis import write_report
    from study.config import parse_study
    from study.examples import example_study_text

    study = parse_study(example_study_text("syn"))
    write_report(results, study, tmp_path, simulated=True, formats=())
    html = (tmp_path / "report.html").read_text()
    assert 'id="table-pooled_effects"' in html
    assert len(pd.read_csv(tmp_path / "effects.csv")) == len(results.effects) == 2 * 5 * 5


def test_hedges_g_without_variation_is_blank_with_a_note() -> None:
    assert math.isnan(hedges_g(np.zeros(5), np.zeros(4)))
    data = synthetic_ratings(n_claims=4, raters=2, seed=0)
    data.loc[data["writer"].isin(["compact-1", "human"]), "persuasion"] = 0
    row = effect_sizes(data).set_index("contrast").loc["compact-1 vs human"]
    assert math.isnan(row["hedges_g"]) and math.isnan(row["hedges_g_se"])
    assert (
        row["note"] == "no Hedges' g: fewer than two ratings in a group, or no variation in either"
    )
