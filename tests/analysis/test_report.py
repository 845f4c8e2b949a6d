"""The report's files: what they contain comes from the data, and nothing is hard-coded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import analyse, export_table, write_report
from analysis.synthetic import DEFAULT_WRITERS, synthetic_ratings
from study.config import Study, parse_study
from study.examples import example_study_text


@pytest.fixture(scope="module")
def study() -> Study:
    text = example_study_text("syn").replace(
        "bootstrap_resamples = 10000", "bootstrap_resamples = 500"
    )
    return parse_study(text)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory, study: Study) -> Path:
    out = tmp_path_factory.mktemp("report")
    ratings = synthetic_ratings(n_claims=10, raters=2, items_per_participant=2, seed=4)
    ratings.loc[ratings.index[:5], "exclusion"] = "failed_attention_checks"
    write_report(analyse(ratings, study.analysis), study, out, simulated=True)
    return out


def test_estimates_and_contrasts_csv_columns(report_dir: Path) -> None:
    estimates = pd.read_csv(report_dir / "estimates.csv")
    assert list(estimates.columns[:6]) == [
        "writer",
        "n_ratings",
        "n_claims",
        "mean_persuasion",
        "ci_low",
        "ci_high",
    ]
    # ordered by class and generation, then humans, then control
    assert estimates["writer"].tolist() == [
        "compact-1",
        "compact-2",
        "frontier-1",
        "frontier-2",
        "frontier-3",
        "human",
        "control",
    ]
    contrasts = pd.read_csv(report_dir / "contrasts.csv")
    for col in ("writer", "estimate", "ci_low", "ci_high", "p_val", "p_holm", "p_tost"):
        assert col in contrasts.columns
    assert "human" not in set(contrasts["writer"])


def test_html_is_self_contained_with_banner_numbers_and_exclusions(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text()
    estimates = pd.read_csv(report_dir / "estimates.csv")
    assert "SIMULATED DATA" in html
    assert "<img" in html and 'src="data:image/png;base64,' in html
    assert 'src="http' not in html and "<script" not in html
    for row in estimates.itertuples():
        assert f"<td>{row.mean_persuasion:.3f}</td>" in html
    assert "failed_attention_checks" in html
    assert "95% percentile bootstrap confidence intervals (500 resamples of claims)" in html


def test_figures_in_three_formats_and_latex_tables(report_dir: Path) -> None:
    stems = {
        "writer_means",
        "scaling",
        "writer_strategy",
        "changes",
        "starting_rating",
        "equivalence",
    }
    for stem in stems:
        for fmt in ("png", "pdf", "svg"):
            assert (report_dir / "figures" / f"{stem}.{fmt}").stat().st_size > 1000
    tex = (report_dir / "tables" / "contrasts.tex").read_text()
    assert "\\toprule" in tex and "$p_{\\mathrm{Holm}}$" in tex


def test_markdown_summary_matches_estimates(report_dir: Path) -> None:
    summary = (report_dir / "summary.md").read_text()
    estimates = pd.read_csv(report_dir / "estimates.csv")
    human = estimates.set_index("writer").loc["human"]
    assert f"| human | {int(human.n_ratings)} | {human.mean_persuasion:.3f} |" in summary


def test_real_data_without_control_arm_no_banner_and_a_note(tmp_path: Path, study: Study) -> None:
    ratings = synthetic_ratings(n_claims=6, raters=2, seed=1)
    ratings = ratings[ratings["writer_kind"] != "control"]
    results = analyse(ratings, study.analysis)
    assert results.control.empty
    assert results.notes["control"] == (
        "the data have no control arm (arguments against indisputable facts)"
    )
    write_report(results, study, tmp_path, simulated=False, formats=("png",))
    html = (tmp_path / "report.html").read_text()
    assert "no control arm" in html
    assert "SIMULATED DATA" not in html


def test_no_kept_ratings_is_an_error(study: Study) -> None:
    ratings = synthetic_ratings(n_claims=4, raters=1, seed=1).assign(exclusion="incomplete")
    with pytest.raises(ValueError, match="no kept ratings to analyse"):
        analyse(ratings, study.analysis)


def test_export_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    ratings = synthetic_ratings(n_claims=4, raters=1, seed=1)
    for name in ("r.csv", "r.parquet"):
        path = export_table(ratings, tmp_path / name)
        back = pd.read_csv(path) if name.endswith("csv") else pd.read_parquet(path)
        assert back["persuasion"].tolist() == ratings["persuasion"].tolist()
    with pytest.raises(ValueError) as err:
        export_table(ratings, tmp_path / "r.xlsx")
    assert str(err.value) == (
        f"cannot export to {str(tmp_path / 'r.xlsx')!r}: unknown file type '.xlsx'; end the "
        "file name with one of: .csv, .parquet"
    )


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("kinds", [("model", "control"), ("human",), ("model", "human")])
def test_partial_designs_give_a_report_with_notes_and_no_warnings(
    tmp_path: Path, study: Study, kinds: tuple[str, ...]
) -> None:
    writers = tuple(w for w in DEFAULT_WRITERS if w.kind in kinds)
    if kinds == ("model", "human"):
        writers = (DEFAULT_WRITERS[0], DEFAULT_WRITERS[5])  # one model: no scaling trend
    ratings = synthetic_ratings(n_claims=6, raters=2, writers=writers, seed=1)
    results = analyse(ratings, study.analysis)
    write_report(results, study, tmp_path, simulated=True, formats=("png",))
    html = (tmp_path / "report.html").read_text()
    assert not list((tmp_path / "figures").glob("*.pdf"))
    assert results.notes
    for note in results.notes.values():
        assert note.split(";")[0].replace("'", "&#39;") in html
