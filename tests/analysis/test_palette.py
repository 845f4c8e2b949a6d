"""Figures a paper can take as is: every colour with a meaning stays distinct under simulated
deuteranopia and protanopia, units and n on the axes, verdicts on the equivalence plot, no
snake_case legends, and no matplotlib backend chosen when `analysis` is imported."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis import analyse
from analysis.palette import min_distance
from analysis.report import make_figures
from analysis.synthetic import synthetic_ratings
from study.config import AnalysisPlan

MIN_DELTA_E = 20.0


def legend_colours(figure: Figure) -> list[str]:
    """The colour of every legend entry of the figure (each entry is one meaning)."""
    legends = list(figure.legends) + [ax.get_legend() for ax in figure.axes if ax.get_legend()]
    out = []
    for legend in legends:
        for handle in legend.legend_handles:
            if handle is None:
                continue
            if isinstance(handle, Line2D):
                colour = handle.get_color()
            elif isinstance(handle, Patch):
                colour = handle.get_facecolor()
            else:  # a collection (hlines): its line colour
                colour = handle.get_color()[0]  # type: ignore[attr-defined]
            out.append(to_hex(colour, keep_alpha=False))
    return out


@pytest.fixture(scope="module", params=["ci", "sem"])
def figures(request: pytest.FixtureRequest) -> dict[str, Figure]:
    plan = AnalysisPlan(bootstrap_resamples=200, error_bars=request.param)
    return make_figures(analyse(synthetic_ratings(n_claims=10, raters=2, seed=3), plan))


def test_every_figure_passes_the_colour_vision_check(figures: dict[str, Figure]) -> None:
    assert set(figures) >= {"writer_means", "scaling", "writer_strategy", "equivalence"}
    for stem, figure in figures.items():
        colours = legend_colours(figure)
        assert colours, stem
        assert min_distance(colours) >= MIN_DELTA_E, (stem, sorted(set(colours)))


def test_the_check_catches_the_old_frontier_and_human_colours() -> None:
    # vermillion (the old frontier colour) and orange (human) both turn olive for deuteranopes
    assert min_distance(["#D55E00", "#E69F00"]) < MIN_DELTA_E
    assert min_distance(["#0072B2", "#56B4E9", "#E69F00", "#7F7F7F"]) >= MIN_DELTA_E


def test_axes_say_units_n_groups_and_verdicts(figures: dict[str, Figure]) -> None:
    means = figures["writer_means"].axes[0]
    assert means.get_xlabel() == "Persuasion (scale points on 1–7, toward the argument)"
    texts = [t.get_text() for t in means.texts]
    assert "compact" in texts and "frontier" in texts
    assert sum(t.startswith("n=") for t in texts) == 6  # five models and the control arm
    labels = {t.get_text() for t in figures["writer_means"].legends[0].get_texts()}
    assert {"compact models", "frontier models", "control"} <= labels
    eq = figures["equivalence"].axes[0]
    assert eq.get_xlabel() == "Difference from human (scale points)"
    verdicts = [t.get_text() for t in eq.texts]
    assert len(verdicts) == 5
    assert all(v.startswith(("equivalent (p=", "not shown (p=")) for v in verdicts)
    strategy = figures["writer_strategy"]
    assert strategy.axes[0].get_xlabel() == "Model writer"
    assert not any("_" in t.get_text() for t in strategy.legends[0].get_texts())
    low, high = figures["changes"].axes[0].get_xlim()
    assert high - low < 12  # the axis spans the values that occur, not -6..6


def test_importing_analysis_chooses_no_backend() -> None:
    # (pingouin imports pyplot, which is fine: pyplot resolves the backend only when a figure
    # needs one; the project draws on Figure objects and never does)
    code = (
        "import matplotlib as mpl, analysis, analysis.report; "
        "print(mpl.rcParams._get_backend_or_none())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"
