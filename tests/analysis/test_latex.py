"""LaTeX tables: human headers, math-mode symbols, decimal alignment without siunitx, captions
from the confidence; every table of a report compiles with pdflatex in a minimal document that
loads only booktabs (required in CI, skipped with a reason where pdflatex is missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from analysis import analyse, to_latex, write_report
from analysis.synthetic import synthetic_ratings
from study.config import parse_study
from study.examples import example_study_text


def pdflatex() -> str:
    path = shutil.which("pdflatex")
    if path:
        return path
    reason = "pdflatex not available (Debian package texlive-latex-recommended; make system-deps)"
    if os.environ.get("PERSUASION_REQUIRE_SYSTEM_DEPS", "0") == "1":
        pytest.fail(f"{reason}; PERSUASION_REQUIRE_SYSTEM_DEPS=1 requires it")
    pytest.skip(reason)


def test_headers_math_mode_and_decimal_alignment() -> None:
    frame = pd.DataFrame(
        {
            "writer": ["compact_1", "frontier-2"],
            "n_ratings": [240, 12],
            "estimate": [-0.3546, 0.0104],
            "ci_low": [-0.5, -0.2],
            "ci_high": [-0.18, 0.22],
            "p_holm": [0.0004, float("nan")],
            "equivalent": [False, True],
            "cluster": ["claim", "claim"],
        }
    )
    tex = to_latex(frame, "Differences.", "tab:x", confidence=0.9)
    assert "\\begin{tabular}{lrr@{.}llr@{.}ll}" in tex
    assert (
        "Writer & $n$ & \\multicolumn{2}{c}{Estimate} & 90\\% CI & "
        "\\multicolumn{2}{c}{$p_{\\mathrm{Holm}}$} & Equivalent \\\\" in tex
    )
    assert "compact\\_1 & $240$ & $-0$ & 355 & [$-$0.500, $-$0.180] & $<0$ & 001 & no \\\\" in tex
    assert "& \\multicolumn{2}{c}{--} & yes \\\\" in tex
    assert "\\caption{Differences. Standard errors clustered by claim.}" in tex
    assert "_holm" not in tex and "<0.001" not in tex


def test_every_report_table_compiles_with_only_booktabs(tmp_path: Path) -> None:
    binary = pdflatex()
    text = example_study_text("syn").replace(
        "bootstrap_resamples = 10000", "bootstrap_resamples = 200"
    )
    study = parse_study(text.replace("confidence = 0.95", "confidence = 0.9"))
    results = analyse(synthetic_ratings(n_claims=8, raters=2, seed=2), study.analysis)
    write_report(results, study, tmp_path, simulated=True, formats=())
    tables = sorted((tmp_path / "tables").glob("*.tex"))
    assert len(tables) >= 10
    assert "90\\% claim-resampling bootstrap" in (tmp_path / "tables" / "estimates.tex").read_text()
    inputs = "\n".join(f"\\input{{{t.name}}}\\clearpage" for t in tables)
    doc = tmp_path / "tables" / "all.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
        f"{inputs}\n\\end{{document}}\n"
    )
    done = subprocess.run(
        [binary, "-interaction=nonstopmode", "-halt-on-error", "all.tex"],
        cwd=doc.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (doc.parent / "all.pdf").stat().st_size > 1000
    assert "Missing character" not in (doc.parent / "all.log").read_text(errors="replace")


def test_estimates_csv_has_the_waves_column(tmp_path: Path) -> None:
    study = parse_study(example_study_text("syn"))
    ratings = synthetic_ratings(n_claims=4, raters=2, seed=1)
    ratings.loc[ratings["writer"] == "frontier-3", "wave"] = 2
    write_report(analyse(ratings, study.analysis), study, tmp_path, simulated=True, formats=())
    estimates = pd.read_csv(tmp_path / "estimates.csv", dtype={"waves": str})
    waves = estimates.set_index("writer")["waves"]
    assert waves["frontier-3"] == "2" and waves["human"] == "1"
