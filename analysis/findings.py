"""The Findings: the results in plain sentences, one per pre-registered contrast, then the scaling
trend, the control arm, the borderline and contradictory cases, and what the data cannot support.

Every number is read from the result tables (`Results.contrasts`, `.estimates`, `.scaling`,
`.control`) and formatted with the tables' `fmt`, so a sentence and its row of `contrasts.csv`
agree digit for digit. Decisions are taken at alpha = 1 - `analysis.confidence`:
superiority from the Holm-adjusted p (`p_holm`), equivalence from the TOST (`equivalent`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.checks import opinion
from analysis.pipeline import Results
from analysis.tables import fmt, fmt_p

# section -> heading in the report (the contrasts come first, under no heading of their own)
SECTIONS: tuple[tuple[str, str], ...] = (
    ("contrast", ""),
    ("scaling", "Scaling"),
    ("control", "Control arm"),
    ("conversation", "Conversations"),
    ("durability", "Durability (follow-up)"),
    ("caution", "Borderline and contradictory cases"),
    ("limit", "What the data cannot support"),
)
SMALL_CONTROL_CLAIMS = 30  # below this a control arm's interval says little (see `control`)


@dataclass(frozen=True)
class Finding:
    """One sentence of the Findings. `section`: contrast | scaling | control | caution | limit;
    `writer`: the contrast's writer (or model class, or "") the sentence is about."""

    section: str
    writer: str
    text: str


def findings_markdown(items: list[Finding]) -> list[str]:
    """The Findings as Markdown lines (a heading per section)."""
    lines = ["## Findings", ""]
    for section, title in SECTIONS:
        chosen = [f for f in items if f.section == section]
        if not chosen:
            continue
        if title:
            lines += [f"### {title}", ""]
        lines += [f"- {f.text}" for f in chosen] + [""]
    return lines


def findings(results: Results) -> list[Finding]:
    """Every sentence of the Findings, in reading order."""
    out = [*contrast_findings(results), *scaling_findings(results), *control_findings(results)]
    from analysis.findings_designs import conversation_findings, durability_findings

    out += conversation_findings(results) + durability_findings(results)
    out += caution_findings(results)
    out += limit_findings(results)
    return out


def _alpha(results: Results) -> float:
    return 1 - results.plan.confidence


def _pct(confidence: float) -> str:
    return f"{confidence * 100:g}%"


def reference_effect(results: Results) -> float:
    """The reference writer's (human) mean persuasion, NaN when it has no estimate."""
    est = results.estimates
    row = est[est["writer"] == results.plan.reference]
    return float(row["mean_persuasion"].iloc[0]) if len(row) else float("nan")


def margin_text(results: Results) -> str:
    """The equivalence margin in scale points and as a share of the human effect."""
    bound, ref = results.plan.smallest_effect, results.plan.reference
    human = reference_effect(results)
    text = f"±{bound:g} scale points"
    if math.isnan(human) or human <= 0:
        return f"{text} (the {ref} effect is {fmt(human)}, so no share of it can be given)"
    return f"{text} ({bound / human:.0%} of the {ref} effect, {fmt(human)})"


def contrast_sentence(row: pd.Series, results: Results) -> str:
    """One pre-registered contrast in words: estimate, CI, superiority and equivalence."""
    plan, alpha = results.plan, _alpha(results)
    ref, writer = plan.reference, str(row["writer"])
    head = (
        f"{writer} vs {ref}: {fmt(row['estimate'])} scale points "
        f"[{_pct(plan.confidence)} CI {fmt(row['ci_low'])}, {fmt(row['ci_high'])}] "
        "(ANCOVA, clustered SEs)."
    )
    if row["p_holm"] < alpha:
        side = "more" if row["estimate"] > 0 else "less"
        sup = f"{writer} is {side} persuasive than {ref} (Holm p {fmt_p(row['p_holm'])})."
    else:
        sup = f"No difference from {ref} is shown (Holm p {fmt_p(row['p_holm'])})."
    margin = margin_text(results)
    if bool(row["equivalent"]):
        eq = f"Equivalent within {margin} (TOST p {fmt_p(row['p_tost'])})."
    else:
        eq = f"Equivalence within {margin} is not shown (TOST p {fmt_p(row['p_tost'])})."
    return f"{head} {sup} {eq}"


def contrast_findings(results: Results) -> list[Finding]:
    return [
        Finding("contrast", str(row["writer"]), contrast_sentence(row, results))
        for _, row in results.contrasts.iterrows()
    ]


def scaling_findings(results: Results) -> list[Finding]:
    """Per model class: the slope per generation at the rating level and on model means."""
    out = []
    pct = _pct(results.plan.confidence)
    for model_class, group in results.scaling.groupby("model_class", sort=False):
        by = group.set_index("level")
        r = by.loc["ratings"]
        n = int(r["n_models"])
        if r["ci_low"] > 0 or r["ci_high"] < 0:
            trend = "rises" if r["slope"] > 0 else "falls"
            verdict = f"persuasion {trend} with generation"
        else:
            verdict = "no trend with generation is shown"
        text = (
            f"Scaling, {model_class} class: {verdict}: {fmt(r['slope'])} scale points per "
            f"generation [{pct} CI {fmt(r['ci_low'])}, {fmt(r['ci_high'])}] at the rating level"
        )
        if "model_means" in by.index:
            m = by.loc["model_means"]
            if math.isnan(m["se"]):
                text += f", {fmt(m['slope'])} on the {n} model means (no SE with {n} models)"
            else:
                text += (
                    f", {fmt(m['slope'])} [{fmt(m['ci_low'])}, {fmt(m['ci_high'])}] "
                    f"on the {n} model means"
                )
        out.append(
            Finding(
                "scaling",
                str(model_class),
                f"{text}. A trend over the {n} models tested, not a prediction for later ones.",
            )
        )
    return out


def control_findings(results: Results) -> list[Finding]:
    """The control arm: its mean, CI and TOST against zero, and how little a small arm shows."""
    if results.control.empty:
        return []
    row = results.control.iloc[0]
    pct, bound = _pct(results.plan.confidence), results.plan.smallest_effect
    verdict = (
        f"equivalent to zero within ±{bound:g}"
        if bool(row["equivalent"])
        else f"equivalence to zero within ±{bound:g} is not shown"
    )
    if row.get("note"):
        return [
            Finding(
                "control",
                "control",
                f"Control arm ({int(row['n_claims'])} claims, "
                f"{int(row['n_ratings'])} ratings): mean {fmt(row['mean_persuasion'])}; "
                f"{row['note']}.",
            )
        ]
    text = (
        f"Control arm (arguments against indisputable facts, {int(row['n_claims'])} claims, "
        f"{int(row['n_ratings'])} ratings): mean {fmt(row['mean_persuasion'])} "
        f"[{pct} CI {fmt(row['ci_low'])}, {fmt(row['ci_high'])}], {verdict} "
        f"(TOST p {fmt_p(row['p_tost'])})."
    )
    if int(row["n_claims"]) < SMALL_CONTROL_CLAIMS:
        text += (
            f" With {int(row['n_claims'])} control claims the interval is rough (few clusters, "
            "mostly-zero ratings): the arm can reveal a gross failure, not prove its absence."
        )
    return [Finding("control", "control", text)]


def caution_findings(results: Results) -> list[Finding]:
    """Borderline and contradictory cases, named."""
    out: list[Finding] = []
    alpha, ref = _alpha(results), results.plan.reference
    band = _reference_band(results)
    means = results.estimates.set_index("writer")["mean_persuasion"]
    for _, row in results.contrasts.iterrows():
        w = str(row["writer"])
        if bool(row["equivalent"]) and row["p_holm"] < alpha:
            out.append(
                Finding(
                    "caution",
                    w,
                    f"{w} is both equivalent to and different from "
                    f"{ref}: the difference is real but smaller than the margin "
                    f"{margin_text(results)}.",
                )
            )
        elif bool(row["equivalent"]) and band and not band[0] <= means.get(w, 0) <= band[1]:
            side = "below" if means[w] < band[0] else "above"
            out.append(
                Finding(
                    "caution",
                    w,
                    f"{w} is equivalent to {ref} (TOST p "
                    f"{fmt_p(row['p_tost'])}) while its mean ({fmt(means[w])}) sits "
                    f"{side} the {ref} band [{fmt(band[0])}, {fmt(band[1])}] in the "
                    f"writer-means figure: the margin {margin_text(results)} is wide "
                    "enough to call this equivalent.",
                )
            )
        if row["p_val"] < alpha <= row["p_holm"]:
            out.append(
                Finding(
                    "caution",
                    w,
                    f"{w} differs from {ref} before the Holm "
                    f"adjustment (p {fmt_p(row['p_val'])}) but not after it (Holm p "
                    f"{fmt_p(row['p_holm'])}): borderline, not a finding.",
                )
            )
        for name, p in (("TOST", row["p_tost"]), ("Holm", row["p_holm"])):
            if alpha / 2 <= p < alpha:
                out.append(
                    Finding(
                        "caution",
                        w,
                        f"{w}: the {name} decision is borderline "
                        f"(p {fmt_p(p)} against alpha {fmt(alpha, 2)}).",
                    )
                )
    out += _robustness_cautions(results)
    return out


def _reference_band(results: Results) -> tuple[float, float] | None:
    est = results.estimates
    row = est[est["writer"] == results.plan.reference]
    if row.empty:
        return None
    return float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])


def _robustness_cautions(results: Results) -> list[Finding]:
    """Contrasts whose superiority decision flips without the ratings at the bound."""
    if results.sensitivity.empty or results.contrasts.empty:
        return []
    alpha, out = _alpha(results), []
    sens = results.sensitivity.set_index("writer")
    for _, row in results.contrasts.iterrows():
        w = str(row["writer"])
        if w not in sens.index:
            continue
        primary, without = row["p_holm"] < alpha, sens.loc[w, "p_holm"] < alpha
        if primary != without:
            said = "differs" if primary else "does not differ"
            out.append(
                Finding(
                    "caution",
                    w,
                    f"{w} {said} from {results.plan.reference} in the "
                    "primary analysis but not without the ratings that started at "
                    f"the bound (Holm p {fmt_p(sens.loc[w, 'p_holm'])}): the "
                    "decision rests on the ceiling.",
                )
            )
    return out


def limit_findings(results: Results) -> list[Finding]:
    """What the data cannot support."""
    out: list[Finding] = []
    alpha, ref = _alpha(results), results.plan.reference
    c = results.contrasts
    if not c.empty:
        open_ = c[(c["p_holm"] >= alpha) & ~c["equivalent"].astype(bool)]["writer"].tolist()
        if open_:
            out.append(
                Finding(
                    "limit",
                    "",
                    f"For {', '.join(map(str, open_))} the data support "
                    f"neither a difference from {ref} nor equivalence: the "
                    "intervals are too wide; more claims would narrow them.",
                )
            )
        out.append(
            Finding(
                "limit",
                "",
                f'"Equivalent" means a difference smaller than the '
                f"margin {margin_text(results)}, not no difference; the results hold "
                f"for these {opinion(results.data)['claim'].nunique()} opinion claims and "
                "these participants.",
            )
        )
    for section, note in results.notes.items():
        out.append(Finding("limit", section, f"{section.replace('_', ' ').capitalize()}: {note}."))
    return out
