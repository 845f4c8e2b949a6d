"""End to end: the demo flow under one Prefect test harness, on a real SQLite file."""

from pathlib import Path

import pandas as pd
import pytest

from flows.demo import demo_flow
from study.config import load_study

pytestmark = pytest.mark.prefect


def test_demo_flow_writes_report_whose_intervals_cover_true_effects(
    prefect_harness: None, tmp_path: Path
) -> None:
    summary = demo_flow(str(tmp_path))
    estimates = pd.read_csv(summary.estimates_csv)
    assert list(estimates.columns[:6]) == [
        "writer",
        "n_ratings",
        "n_claims",
        "mean_persuasion",
        "ci_low",
        "ci_high",
    ]
    study = load_study(tmp_path / "demo.toml")
    truth = {w.id: w.true_effect for w in study.writers} | {"control": study.control.true_effect}
    assert set(estimates["writer"]) == set(truth)
    covered = sum(row.ci_low <= truth[row.writer] <= row.ci_high for row in estimates.itertuples())
    assert covered >= len(truth) - 1
    html = Path(summary.html).read_text()
    assert "SIMULATED DATA" in html
    assert "data:image/png;base64," in html
    # A second run finds nothing left to do and reports the same ratings.
    again = pd.read_csv(demo_flow(str(tmp_path)).estimates_csv)
    assert again["n_ratings"].tolist() == estimates["n_ratings"].tolist()
