"""Figures: paper column widths, refusal of unknown widths, the reference band."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import figures, writer_means
from analysis.synthetic import synthetic_ratings


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return synthetic_ratings(n_claims=5, raters=1, seed=3)


@pytest.mark.parametrize(("width", "inches"), [("one", 3.5), ("two", 7.2)])
def test_figures_are_sized_for_paper_columns(data: pd.DataFrame, width: str, inches: float) -> None:
    estimates = writer_means(data, n_resamples=100)
    fig = figures.writer_means_figure(estimates, data, "human", width=width)  # type: ignore[arg-type]
    assert fig.get_size_inches()[0] == pytest.approx(inches)
    # the reference writer is drawn as a band and a line, not as a bar
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "human" not in labels and "compact-1" in labels


def test_unknown_width_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(ValueError) as err:
        figures.changes_figure(data, width="three")  # type: ignore[arg-type]
    assert str(err.value) == "width='three' is not allowed; allowed: 'one', 'two'"
