"""The report: estimates as CSV, a figure (PNG, PDF, SVG) and a self-contained HTML page."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from analysis.estimates import writer_means
from analysis.figures import save_figure, writer_means_figure
from analysis.tidy import kept
from study.config import Study


@dataclass(frozen=True)
class Report:
    out_dir: Path
    html: Path
    estimates_csv: Path
    estimates: pd.DataFrame


def writer_order(data: pd.DataFrame) -> list[str]:
    """Writers ordered by class, then generation order; humans and control last."""
    meta = data.drop_duplicates("writer")
    rank = {"model": 0, "human": 1, "control": 2}
    meta = meta.assign(_rank=meta["writer_kind"].map(rank).fillna(0))
    meta = meta.sort_values(["_rank", "model_class", "generation_order", "writer"])
    return list(meta["writer"])


def build_report(
    ratings: pd.DataFrame, study: Study, out_dir: Path, *, simulated: bool, claim_set_hash: str = ""
) -> Report:
    """Compute the estimates and write report.html, estimates.csv and figures/ to out_dir."""
    data = kept(ratings)
    if data.empty:
        raise ValueError(
            f"study {study.name!r} has no kept ratings to analyse; run fieldwork "
            "(or the simulated panel) first"
        )
    plan = study.analysis
    order = writer_order(data)
    estimates = writer_means(
        data,
        n_resamples=plan.bootstrap_resamples,
        confidence=plan.confidence,
        seed=study.study.seed,
    )
    estimates = estimates.set_index("writer").loc[order].reset_index()
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "estimates.csv"
    estimates.to_csv(csv_path, index=False)
    kinds = dict(zip(data["writer"], data["writer_kind"], strict=False))
    reference = plan.reference if plan.reference in kinds else None
    paths = save_figure(
        writer_means_figure(estimates, kinds, reference), out_dir / "figures", "writer_means"
    )
    html = _render(study, ratings, estimates, paths["png"], simulated, claim_set_hash, reference)
    html_path = out_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    return Report(out_dir, html_path, csv_path, estimates)


def _render(
    study: Study,
    ratings: pd.DataFrame,
    estimates: pd.DataFrame,
    png: Path,
    simulated: bool,
    claim_set_hash: str,
    reference: str | None,
) -> str:
    env = Environment(
        loader=PackageLoader("analysis", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    excluded = ratings[ratings["exclusion"] != ""]
    return env.get_template("report.html.j2").render(
        study=study.name,
        simulated=simulated,
        simulated_reason="participants were simulated by the pipeline's response model and "
        "arguments may be offline placeholders.",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        n_ratings=len(ratings),
        n_excluded=len(excluded),
        n_participants=ratings["participant"].nunique(),
        n_claims=ratings["claim"].nunique(),
        claim_set_hash=claim_set_hash,
        estimates=estimates.to_dict("records"),
        figure_png=base64.b64encode(png.read_bytes()).decode(),
        n_resamples=study.analysis.bootstrap_resamples,
        reference=reference,
        exclusions=excluded["exclusion"].value_counts().to_dict(),
        confidence=study.analysis.confidence,
        smallest_effect=study.analysis.smallest_effect,
    )
