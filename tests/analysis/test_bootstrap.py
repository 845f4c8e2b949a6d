import numpy as np
import pandas as pd
import pytest

from analysis import claim_bootstrap_means, percentile_ci, writer_means
from analysis.bootstrap import claim_weights


def frame(rng: np.random.Generator, n_claims: int = 20, per_claim: int = 5) -> pd.DataFrame:
    claims = np.repeat([f"c{i}" for i in range(n_claims)], per_claim)
    return pd.DataFrame({"claim": claims, "persuasion": rng.normal(0.3, 1, len(claims))})


def test_vectorised_bootstrap_equals_naive_resampling() -> None:
    data = frame(np.random.default_rng(1))
    fast = claim_bootstrap_means(data, n_resamples=50, rng=np.random.default_rng(7))
    # Naive: the same multinomial draws, applied by concatenating resampled claims.
    claims = sorted(data["claim"].unique())
    weights = claim_weights(len(claims), 50, np.random.default_rng(7))
    naive = []
    for w in weights:
        parts = [data[data["claim"] == c] for c, k in zip(claims, w, strict=True) for _ in range(k)]
        naive.append(pd.concat(parts)["persuasion"].mean())
    np.testing.assert_allclose(fast, naive)


def test_interval_covers_true_mean_about_95_percent() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    reps = 300
    for _ in range(reps):
        low, high = percentile_ci(
            claim_bootstrap_means(frame(rng, 30, 3), n_resamples=1000, rng=rng)
        )
        hits += low <= 0.3 <= high
    assert 0.90 <= hits / reps <= 0.985


def test_writer_means_columns_and_values() -> None:
    data = pd.DataFrame(
        {
            "writer": ["a", "a", "b", "b"],
            "claim": ["x", "y", "x", "y"],
            "persuasion": [1.0, 3.0, 0.0, -1.0],
        }
    )
    out = writer_means(data, n_resamples=500)
    assert list(out.columns) == [
        "writer",
        "n_ratings",
        "n_claims",
        "mean_persuasion",
        "ci_low",
        "ci_high",
        "sd",
        "std_effect",
    ]
    assert out["mean_persuasion"].tolist() == [2.0, -0.5]
    assert out.loc[0, "ci_low"] >= 1.0
    assert out.loc[0, "ci_high"] <= 3.0


def test_empty_and_missing_values_are_refused() -> None:
    with pytest.raises(ValueError, match="no ratings to bootstrap for column 'persuasion'"):
        claim_bootstrap_means(pd.DataFrame({"claim": [], "persuasion": []}))
    bad = pd.DataFrame({"claim": ["a"], "persuasion": [np.nan]})
    with pytest.raises(ValueError, match="column 'persuasion' has missing values"):
        claim_bootstrap_means(bad)


def test_claim_weights_are_uniform_draws_with_replacement() -> None:
    w = claim_weights(5, 20_000, np.random.default_rng(0))
    assert (w.sum(axis=1) == 5).all()
    # each claim is drawn Binomial(5, 1/5) times: mean 1, variance 0.8
    np.testing.assert_allclose(w.mean(axis=0), 1.0, atol=0.03)
    np.testing.assert_allclose(w.var(axis=0), 0.8, atol=0.04)
