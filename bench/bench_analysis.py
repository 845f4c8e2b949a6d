"""The whole analysis (every estimator, 10,000 claim-resampling bootstrap resamples, figures,
tables and the HTML report) on simulated studies of about 4,000 and 100,000 ratings, timed
against a naive pandas bootstrap (resample claims, concatenate, group by writer) measured in the
same run. The naive baseline is timed on a few resamples and scaled to 10,000 (it is linear in
the number of resamples); the ratio is baseline time / our time.

Run: python -m bench analysis
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import analyse, write_report, writer_means
from analysis.synthetic import synthetic_ratings
from study.config import parse_study
from study.examples import example_study_text

N_RESAMPLES = 10_000
NAIVE_RESAMPLES = 40
SIZES = {"4k": 3, "100k": 77}  # raters per argument; 56 claims, 23 arguments per claim


def naive_bootstrap(data: pd.DataFrame, n_resamples: int, seed: int = 0) -> pd.DataFrame:
    """The textbook loop: draw claims with replacement, rebuild the data, group by writer."""
    rng = np.random.default_rng(seed)
    by_claim = {c: g for c, g in data.groupby("claim")}
    claims = list(by_claim)
    means = []
    for _ in range(n_resamples):
        drawn = rng.choice(len(claims), len(claims), replace=True)
        sample = pd.concat([by_claim[claims[i]] for i in drawn])
        means.append(sample.groupby("writer")["persuasion"].mean())
    return pd.DataFrame(means)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(label: str, raters: int) -> dict[str, object]:
    ratings = synthetic_ratings(n_claims=56, raters=raters, items_per_participant=3, seed=1)
    study = parse_study(example_study_text("bench"))
    data = ratings.assign(persuasion=ratings["persuasion"].astype(float))
    naive = timed(lambda: naive_bootstrap(data, NAIVE_RESAMPLES)) * N_RESAMPLES / NAIVE_RESAMPLES
    boot = timed(lambda: writer_means(data, n_resamples=N_RESAMPLES))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        results = analyse(ratings, study.analysis)
        analysed = time.perf_counter() - start
        write_report(results, study, Path(folder), simulated=True)
        total = time.perf_counter() - start
    return {
        "size": label,
        "ratings": len(ratings),
        "naive_bootstrap_s": round(naive, 1),
        "our_bootstrap_s": round(boot, 3),
        "bootstrap_speedup": round(naive / boot),
        "estimators_s": round(analysed, 2),
        "full_analysis_s": round(total, 2),
        "naive_bootstrap/full_analysis": round(naive / total, 1),
    }


def main(argv: list[str]) -> int:
    """`python -m bench analysis [4k|100k ...]`: the sizes to run (default: both)."""
    unknown = [a for a in argv if a not in SIZES]
    if unknown:
        print(f"Error: unknown size {', '.join(unknown)}; choose from: {', '.join(SIZES)}")
        return 1
    rows = [run(label, SIZES[label]) for label in (argv or list(SIZES))]
    print(pd.DataFrame(rows).to_string(index=False))
    print(
        f"(naive bootstrap timed on {NAIVE_RESAMPLES} resamples and scaled to {N_RESAMPLES}; "
        "full analysis = every estimator + figures (PNG, PDF, SVG) + tables + report.html)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
