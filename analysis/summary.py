"""What the report says about each table and figure, and the Markdown summary (published by the
analysis flow as a Prefect artifact). Every number comes from the results."""

from __future__ import annotations

from typing import Any

from analysis.findings import findings, findings_markdown
from analysis.pipeline import Results
from analysis.preregistration import preregistration_markdown
from analysis.stamp import Stamp
from analysis.tables import fmt, fmt_p, to_markdown

SUMMARY_ESTIMATES = ["writer", "n_ratings", "mean_persuasion", "ci_low", "ci_high"]
# file name -> (Results attribute, caption)
TABLES: dict[str, tuple[str, str]] = {
    "estimates": (
        "estimates",
        "Mean persuasion per writer with {pct} claim-resampling bootstrap confidence intervals; "
        "std_effect = mean / SD of the before-ratings.",
    ),
    "contrasts": (
        "contrasts",
        "Primary analysis: ANCOVA (OLS) of the after-rating on writer, C(before) and C(claim); "
        "difference from the reference writer with cluster-robust t-based {pct} CIs; Holm across "
        "model-vs-reference contrasts; TOST against the smallest effect of interest.",
    ),
    "strategy_grid": (
        "grid",
        "Exploratory model x strategy grid: ANCOVA differences from the reference writer, "
        "Benjamini-Hochberg across the grid.",
    ),
    "strategy_estimates": (
        "strategy_estimates",
        "Mean persuasion per model writer and strategy ({pct} claim-resampling bootstrap CIs).",
    ),
    "scaling": (
        "scaling",
        "Scaling trend across generations within each model class: slope of persuasion on "
        "generation order at the rating level (claim effects, clustered SEs) and on model means "
        "(OLS). A trend over the models tested.",
    ),
    "control": (
        "control",
        "Control arm (arguments against indisputable facts): mean persuasion with a "
        "claim-clustered {pct} CI, test against zero and TOST against the smallest effect.",
    ),
    "reference_summary": (
        "reference_summary",
        "The reference study's summary: mean persuasion per writer over argument means, "
        "with the SEM over arguments.",
    ),
    "pairwise": (
        "pairwise",
        "Pairwise Welch t-tests between writers on argument means, BH-FDR adjusted.",
    ),
    "starting_rating": (
        "starting",
        "Mean persuasion by starting rating on the toward-the-argument scale ({pct} t-intervals "
        "over ratings, not clustered).",
    ),
    "sensitivity": (
        "sensitivity",
        "Sensitivity: the primary ANCOVA without ratings that started at the bound the argument "
        "pushes toward.",
    ),
    "ordinal": (
        "ordinal",
        "Robustness: proportional-odds (ordered logit) log-odds of a higher after-rating than the "
        "reference writer, given C(before); model-based Wald {pct} CIs.",
    ),
    "effects": (
        "effects",
        "Effect sizes for meta-analysis, one row per contrast and wave: Hedges' g of persuasion "
        "against the reference writer (ratings as independent) with its SE, the raw difference "
        "with its Welch SE, n per arm and moderators.",
    ),
    "pooled_effects": (
        "pooled_effects",
        "Random-effects (DerSimonian-Laird) pooling of Hedges' g across the waves of each "
        "contrast run in two waves or more; tau2 and I2 measure the heterogeneity between waves.",
    ),
    "exclusions": ("exclusions", "Ratings per writer: total, kept and excluded by reason."),
    "format_contrasts": (
        "format_contrasts",
        "Conversation vs static of the same model: ANCOVA of the after-rating on writer "
        "(reference: the model's static writer), C(before) and C(claim) on the two arms' ratings, "
        "cluster-robust t-based {pct} CIs, Holm across models.",
    ),
    "dose": (
        "dose",
        "Persuasion by the length of a conversation: slope of persuasion on the participant's "
        "turns and on the words of the model's replies (per 100), claim fixed effects, "
        "cluster-robust {pct} CIs; low/high: the range observed. Participants chose how long "
        "to converse: associations, not effects.",
    ),
    "by_turns": (
        "by_turns",
        "Mean persuasion of each conversation writer by the number of participant turns "
        "({pct} t-intervals over ratings, not clustered).",
    ),
    "durability": (
        "durability",
        "Durability: of the ratings answered again at the follow-up wave (no argument shown), "
        "immediate = direction x (after - before), lasting = direction x (follow-up - before) "
        "and share = lasting / immediate per arm, with {pct} percentile bootstrap CIs that "
        "resample participants; days: median days from the rating to the follow-up answer.",
    ),
    "attrition": (
        "attrition",
        "Attrition at the follow-up per arm: kept ratings (and participants) asked again and "
        "answered; retention = answered / asked with a {pct} Wilson interval.",
    ),
}

CAPTIONS: dict[str, str] = {
    "writer_means": "Mean persuasion per writer, ordered by model class and generation. Error "
    "bars: {pct} percentile bootstrap confidence intervals ({n_resamples} resamples of claims). "
    "Band: the {pct} CI of the reference writer ({reference}); dashed line: its mean.",
    "writer_means_sem": "Mean persuasion per writer over argument means, ordered by model class "
    "and generation. Error bars: ±1 SEM over arguments (as in the reference study). Band: the "
    "reference writer's ({reference}) mean ± 1 SEM; dashed line: its mean.",
    "scaling": "Mean persuasion by generation within each model class. Error bars: {pct} "
    "bootstrap CIs (claims resampled). Band: the reference writer's ({reference}) {pct} CI.",
    "writer_strategy": "Mean persuasion per model writer and prompting strategy. Error bars: "
    "{pct} bootstrap CIs (claims resampled).",
    "changes": "Distribution of persuasion (after − before, toward the argument) by writer "
    "kind: share of ratings at each value.",
    "starting_rating": "Mean persuasion by starting rating (toward-the-argument scale). Error "
    "bars: {pct} t-intervals over ratings (not clustered). High starting ratings leave little room "
    "to move toward the argument (ceiling).",
    "equivalence": "Equivalence: ANCOVA difference of each writer from {reference}. Thin bars: "
    "{pct} CIs (cluster-robust); thick bars: {tost_pct} CIs, the interval of the TOST at {alpha}; "
    "shaded: the "
    "equivalence region ±{bound} scale points fixed in the study file.",
}


def table_caption(name: str, confidence: float) -> str:
    """The caption of table `name` with the study's confidence level."""
    return TABLES[name][1].format(pct=f"{confidence * 100:g}%")


def summary_markdown(
    name: str,
    results: Results,
    simulated: bool,
    incomplete: str = "",
    stamp: Stamp | None = None,
    prereg: dict[str, Any] | None = None,
) -> str:
    """A short Markdown summary: banners (incomplete fieldwork, simulated data), per-writer
    means, primary contrasts, control check."""
    plan = results.plan
    lines = [f"# Persuasion report: {name}", ""]
    if incomplete:
        lines += [f"**PARTIAL DATA**: {incomplete}", ""]
    if simulated:
        lines += ["**SIMULATED DATA**: these numbers test the pipeline, not people.", ""]
    lines += findings_markdown(findings(results))
    lines += [
        f"{len(results.ratings)} ratings, {len(results.data)} kept, "
        f"{results.data['claim'].nunique()} claims. Bootstrap: {plan.bootstrap_resamples} "
        "claim resamples.",
        "",
        f"## Mean persuasion per writer ({plan.confidence * 100:g}% CI)",
        "",
        to_markdown(results.estimates[SUMMARY_ESTIMATES]),
    ]
    if not results.contrasts.empty:
        cols = ["writer", "estimate", "ci_low", "ci_high", "p_val", "p_holm", "p_tost"]
        lines += [
            "",
            f"## Difference from {plan.reference} "
            f"(ANCOVA, clustered SEs; TOST ±{plan.smallest_effect})",
            "",
            to_markdown(results.contrasts[cols]),
        ]
    if not results.scaling.empty:
        pct = f"{plan.confidence * 100:g}%"
        lines += ["", f"## Trend over generations (slope per generation, {pct} CI)", ""]
        for row in results.scaling.itertuples():
            lines.append(
                f"- {row.model_class}, {row.level.replace('_', ' ')} ({row.n_models} models): "
                f"{fmt(row.slope)} [{fmt(row.ci_low)}, {fmt(row.ci_high)}], "
                f"p {fmt_p(row.p_val)}"
            )
    if not results.control.empty:
        row = results.control.iloc[0]
        lines += [
            "",
            f"Control arm: mean {fmt(row['mean_persuasion'])} "
            f"[{fmt(row['ci_low'])}, {fmt(row['ci_high'])}], p_tost {fmt_p(row['p_tost'])}.",
        ]
    if prereg is not None:
        lines += ["", *preregistration_markdown(prereg)]
    if stamp is not None:
        lines += ["", "## Reproducibility", ""]
        lines += [f"- {label}: `{value}`" for label, value in stamp.lines()]
    return "\n".join(lines) + "\n"
