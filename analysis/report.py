"""The report: CSV tables, figures (PNG, PDF, SVG), LaTeX tables, a self-contained HTML page
and a Markdown summary, all computed from the data (nothing hard-coded)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from analysis import figures as fig
from analysis.checks import opinion
from analysis.equivalence import tost_interval
from analysis.findings import SECTIONS, findings
from analysis.latex import readable, to_latex
from analysis.pipeline import Results, analyse
from analysis.preregistration import preregistration_view
from analysis.stamp import Provenance, Stamp, make_stamp
from analysis.summary import CAPTIONS, TABLES, summary_markdown, table_caption
from analysis.tables import fmt, fmt_cell
from common import frame_to_csv
from study import Study


@dataclass(frozen=True)
class Report:
    out_dir: Path
    html: Path
    estimates_csv: Path
    contrasts_csv: Path
    summary_md: Path
    estimates: pd.DataFrame
    results: Results


def build_report(
    ratings: pd.DataFrame,
    study: Study,
    out_dir: Path,
    *,
    simulated: bool,
    claim_set_hash: str = "",
    incomplete: str = "",
    provenance: Provenance | None = None,
    follow_ups: pd.DataFrame | None = None,
) -> Report:
    """Run the analysis plan and write every output of the report to `out_dir`. A non-empty
    `incomplete` (what fieldwork still lacks) heads the report as a banner; `follow_ups`
    (the answers at follow-up waves) adds the durability sections."""
    writers = [w.id for w in study.writers]
    results = analyse(
        ratings, study.analysis, seed=study.study.seed, writers=writers, follow_ups=follow_ups
    )
    return write_report(
        results,
        study,
        out_dir,
        simulated=simulated,
        claim_set_hash=claim_set_hash,
        incomplete=incomplete,
        provenance=provenance,
    )


def write_report(
    results: Results,
    study: Study,
    out_dir: Path,
    *,
    simulated: bool,
    claim_set_hash: str = "",
    formats: tuple[str, ...] = fig.FORMATS,
    incomplete: str = "",
    provenance: Provenance | None = None,
) -> Report:
    """Write every output of the report; figures in `formats` (PNG is always written: the
    HTML page embeds it)."""
    formats = tuple(dict.fromkeys(("png", *formats)))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (attr, _) in TABLES.items():
        frame_to_csv(getattr(results, attr), out_dir / f"{name}.csv")
    figure_paths: dict[str, dict[str, Path]] = {}
    widths: dict[str, float] = {}
    for stem, figure in make_figures(results).items():
        widths[stem] = float(figure.get_size_inches()[0])
        figure_paths[stem] = fig.save_figure(figure, out_dir / "figures", stem, formats)
    tables_dir = out_dir / "tables"
    tables_dir.mkdir(exist_ok=True)
    conf = results.plan.confidence
    for name, (attr, _) in TABLES.items():
        frame = getattr(results, attr)
        if not frame.empty:
            tex = to_latex(frame, table_caption(name, conf), f"tab:{name}", conf)
            (tables_dir / f"{name}.tex").write_text(tex, encoding="utf-8")
    provenance = provenance or Provenance()
    stamp = make_stamp(study, results.ratings, claim_set_hash, provenance.study_text)
    (out_dir / "stamp.json").write_text(
        json.dumps(asdict(stamp), indent=2) + "\n", encoding="utf-8"
    )
    prereg = preregistration_view(
        provenance.registration,
        study,
        claim_set_hash,
        opinion(results.data)["claim"].nunique(),
    )
    summary = summary_markdown(study.name, results, simulated, incomplete, stamp, prereg)
    (out_dir / "summary.md").write_text(summary, encoding="utf-8")
    html = _render(results, study, figure_paths, widths, simulated, stamp, incomplete, prereg)
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    return Report(
        out_dir,
        out_dir / "report.html",
        out_dir / "estimates.csv",
        out_dir / "contrasts.csv",
        out_dir / "summary.md",
        results.estimates,
        results,
    )


def make_figures(results: Results) -> dict[str, Figure]:
    """Every figure the data support, by file stem."""
    ref, conf = results.plan.reference, results.plan.confidence
    bars, what = results.estimates, f"{conf * 100:g}% CI"
    if results.plan.error_bars == "sem":
        bars, what = sem_bars(results.reference_summary), "±1 SEM"
    out = {
        "writer_means": fig.writer_means_figure(bars, results.data, ref, what=what),
        "changes": fig.changes_figure(results.data),
        "starting_rating": fig.starting_figure(results.starting),
    }
    if not results.scaling.empty:
        out["scaling"] = fig.scaling_figure(results.estimates, results.data, ref)
    if not results.strategy_estimates.empty:
        out["writer_strategy"] = fig.strategy_figure(results.strategy_estimates)
    if not results.contrasts.empty:
        alpha = 1 - results.plan.confidence
        out["equivalence"] = fig.equivalence_figure(
            tost_interval(results.contrasts, alpha), results.plan.smallest_effect, "one", ref, conf
        )
    return out


def sem_bars(summary: pd.DataFrame) -> pd.DataFrame:
    """The reference study's bars: mean over argument means +/- 1 SEM (as `estimates`)."""
    return summary.assign(
        ci_low=summary["mean_persuasion"] - summary["sem"],
        ci_high=summary["mean_persuasion"] + summary["sem"],
    )


def _caption_key(stem: str, results: Results) -> str:
    return f"{stem}_sem" if stem == "writer_means" and results.plan.error_bars == "sem" else stem


def _render(
    results: Results,
    study: Study,
    figure_paths: dict[str, dict[str, Path]],
    widths: dict[str, float],
    simulated: bool,
    stamp: Stamp,
    incomplete: str = "",
    prereg: dict[str, Any] | None = None,
) -> str:
    env = Environment(
        loader=PackageLoader("analysis", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    env.filters["num"] = fmt
    env.globals["cell"] = fmt_cell
    ratings = results.ratings
    figures = _figure_entries(results, figure_paths, widths)
    tables = [
        {
            "name": name,
            "caption": table_caption(name, results.plan.confidence),
            "frame": readable(getattr(results, attr), results.plan.confidence)[0],
        }
        for name, (attr, _) in TABLES.items()
    ]
    return env.get_template("report.html.j2").render(
        study=study.name,
        description=study.study.description,
        simulated=simulated,
        incomplete=incomplete,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        n_ratings=len(ratings),
        n_kept=len(results.data),
        n_participants=ratings["participant"].nunique(),
        n_claims=ratings["claim"].nunique(),
        claim_set_hash=stamp.claim_set_hash,
        stamp=stamp.lines(),
        prereg=prereg,
        plan=results.plan,
        scale_sd=results.scale_sd,
        figures=figures,
        tables=tables,
        notes=results.notes,
        findings=findings(results),
        finding_sections=SECTIONS,
    )


def _figure_entries(
    results: Results, figure_paths: dict[str, dict[str, Path]], widths: dict[str, float]
) -> list[dict[str, Any]]:
    """Each figure for the HTML page: its embedded PNG, width and caption."""
    return [
        {
            "stem": stem,
            "width_rem": round(widths[stem] * 11, 1),  # one column ~38 rem, two columns full
            "png": base64.b64encode(paths["png"].read_bytes()).decode(),
            "caption": CAPTIONS[_caption_key(stem, results)].format(
                n_resamples=results.plan.bootstrap_resamples,
                reference=results.plan.reference,
                bound=results.plan.smallest_effect,
                pct=f"{results.plan.confidence * 100:g}%",
                tost_pct=f"{(1 - 2 * (1 - results.plan.confidence)) * 100:g}%",
                alpha=f"{(1 - results.plan.confidence) * 100:g}%",
            ),
        }
        for stem, paths in figure_paths.items()
    ]
