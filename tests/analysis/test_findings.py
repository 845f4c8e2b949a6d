"""The Findings section: report.html and summary.md open with sentences that say, for every
pre-registered contrast, what contrasts.csv says (read back from both files)."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd

from analysis import analyse, build_report, load_stored_study, write_report
from analysis.synthetic import synthetic_ratings
from analysis.tables import fmt, fmt_p
from study.config import Study, parse_study
from study.examples import example_study_text
from study.importers import import_anthropic
from study.store import Store

FINDING = re.compile(
    r'<li class="finding" data-section="(?P<section>[^"]*)" data-writer="(?P<writer>[^"]*)">'
    r"(?P<text>.*?)</li>",
    re.S,
)


def html_findings(html: str, section: str) -> dict[str, str]:
    """The sentences of one Findings section by writer (several joined by a space)."""
    out: dict[str, str] = {}
    for m in FINDING.finditer(html):
        if m["section"] == section:
            writer, text = html_lib.unescape(m["writer"]), html_lib.unescape(m["text"])
            out[writer] = f"{out[writer]} {text}" if writer in out else text
    return out


def assert_findings_match_contrasts(out: Path, confidence: float) -> None:
    """Every row of contrasts.csv has one sentence in report.html and summary.md carrying its
    numbers and both decisions; Findings is the report's first section."""
    html = (out / "report.html").read_text(encoding="utf-8")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert html.index("<h2>") == html.index("<h2>Findings</h2>")
    assert summary.index("## Findings") < summary.index("## Mean persuasion")
    contrasts = pd.read_csv(out / "contrasts.csv")
    sentences = html_findings(html, "contrast")
    assert set(sentences) == set(contrasts["writer"])
    alpha = 1 - confidence
    for row in contrasts.itertuples():
        text = sentences[row.writer]
        assert text in summary
        interval = f"[{confidence * 100:g}% CI {fmt(row.ci_low)}, {fmt(row.ci_high)}]"
        assert text.startswith(
            f"{row.writer} vs human: {fmt(row.estimate)} scale points {interval}"
        )
        assert f"(Holm p {fmt_p(row.p_holm)})" in text
        assert f"(TOST p {fmt_p(row.p_tost)})" in text
        if row.p_holm < alpha:
            side = "more" if row.estimate > 0 else "less"
            assert f"{row.writer} is {side} persuasive than human" in text
        else:
            assert "No difference from human is shown" in text
        assert ("Equivalent within ±" in text) == bool(row.equivalent)
        assert ("Equivalence within ±" in text) == (not row.equivalent)


def quick(text: str) -> Study:
    return parse_study(text.replace("bootstrap_resamples = 10000", "bootstrap_resamples = 300"))


def test_demo_like_findings_match_contrasts_and_name_compact_2(tmp_path: Path) -> None:
    study = quick(example_study_text("syn"))
    ratings = synthetic_ratings(n_claims=20, raters=3, seed=17)
    results = analyse(ratings, study.analysis)
    write_report(results, study, tmp_path, simulated=True, formats=("png",))
    assert_findings_match_contrasts(tmp_path, 0.95)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    cautions = html_findings(html, "caution")
    human = results.estimates.set_index("writer").loc["human"]
    compact2 = results.estimates.set_index("writer").loc["compact-2"]
    assert compact2.mean_persuasion < human.ci_low  # the bar sits below the human band
    assert "compact-2 is equivalent to human (TOST p " in cautions["compact-2"]
    share = f"{0.2 / human.mean_persuasion:.0%}"
    assert (
        f"sits below the human band [{fmt(human.ci_low)}, {fmt(human.ci_high)}]"
        in (cautions["compact-2"])
    )
    assert f"±0.2 scale points ({share} of the human effect" in cautions["compact-2"]
    control = html_findings(html, "control")["control"]
    row = results.control.iloc[0]
    assert f"mean {fmt(row.mean_persuasion)} [95% CI {fmt(row.ci_low)}, {fmt(row.ci_high)}]" in (
        control
    )
    assert "can reveal a gross failure, not prove its absence" in control
    scaling = html_findings(html, "scaling")
    assert set(scaling) == {"compact", "frontier"}
    assert "A trend over the 3 models tested" in scaling["frontier"]


def test_sample_import_findings_match_contrasts(
    tmp_path: Path, store: Store, sqlite_url: str, sample_csv: Path
) -> None:
    import_anthropic(store, sample_csv, "sample")
    stored = load_stored_study(sqlite_url, "sample")
    build_report(stored.ratings, stored.study, tmp_path / "r", simulated=False)
    assert_findings_match_contrasts(tmp_path / "r", stored.study.analysis.confidence)


def test_confidence_drives_every_decision_and_interval(tmp_path: Path) -> None:
    text = example_study_text("syn").replace("confidence = 0.95", "confidence = 0.9")
    study = quick(text)
    ratings = synthetic_ratings(n_claims=12, raters=2, seed=3)
    write_report(analyse(ratings, study.analysis), study, tmp_path, simulated=True, formats=())
    assert_findings_match_contrasts(tmp_path, 0.9)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "[90% CI " in html_findings(html, "control")["control"]


def test_margin_without_a_positive_human_effect_says_so() -> None:
    from analysis.findings import margin_text
    from analysis.synthetic import DEFAULT_WRITERS, SyntheticWriter

    writers = (*DEFAULT_WRITERS[:2], SyntheticWriter("human", "human", -0.4, "", 0, 3))
    ratings = synthetic_ratings(n_claims=10, raters=2, writers=writers, seed=2)
    results = analyse(ratings, quick(example_study_text("syn")).analysis)
    human = results.estimates.set_index("writer").loc["human", "mean_persuasion"]
    assert human <= 0
    assert margin_text(results) == (
        f"±0.2 scale points (the human effect is {fmt(human)}, so no share of it can be given)"
    )
