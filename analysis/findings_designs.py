"""Findings of the newer designs: conversations (the format contrast, persuasion by turns and
by words the model wrote) and follow-up waves (the share of the effect that remains,
attrition by arm). Every number is read from the result tables and formatted as they are."""

from __future__ import annotations

import math

import pandas as pd

from analysis.findings import Finding, _alpha, _pct
from analysis.pipeline import Results
from analysis.tables import fmt, fmt_p


def _arm_name(row: pd.Series, formats: bool) -> str:
    """The arm's name: the writer, and its format when the study has several."""
    fmt_ = row.get("format") if formats else None
    return f"{row['writer']} ({fmt_})" if isinstance(fmt_, str) and fmt_ else str(row["writer"])


def _several_formats(frame: pd.DataFrame) -> bool:
    return "format" in frame.columns and frame["format"].nunique() > 1


def durability_findings(results: Results) -> list[Finding]:
    """Per arm with an immediate effect: the share of it left at the follow-up, with its CI,
    and the arm's retention; then the spread of retention across arms."""
    pct, out = _pct(results.plan.confidence), []
    lost, several = results.attrition, _several_formats(results.attrition)
    retention = {_arm_name(r, several): r for _, r in lost.iterrows()}
    for _, row in results.durability.iterrows():
        arm = _arm_name(row, several)
        if math.isnan(row["share"]):
            continue
        days = "" if math.isnan(row["days"]) else f" after {row['days']:.0f} days"
        ci = (
            f"[{pct} CI {row['share_low']:.0%}, {row['share_high']:.0%}]"
            if not math.isnan(row["share_low"])
            else "(no interval: the immediate effect is too close to zero)"
        )
        text = (
            f"{arm}: {row['share']:.0%} of the effect remains{days} {ci} "
            f"(immediate {fmt(row['immediate'])}, at the follow-up {fmt(row['lasting'])} scale "
            f"points, on the {int(row['n_ratings'])} ratings answered again)"
        )
        kept_row = retention.get(arm)
        if kept_row is not None:
            text += (
                f"; {int(kept_row['participants_answered'])} of "
                f"{int(kept_row['participants_asked'])} participants answered"
            )
        out.append(Finding("durability", str(row["writer"]), text + "."))
    if len(retention) > 1:
        rates = lost.assign(arm=[_arm_name(r, several) for _, r in lost.iterrows()])
        low, high = rates.loc[rates["retention"].idxmin()], rates.loc[rates["retention"].idxmax()]
        out.append(
            Finding(
                "durability",
                "",
                f"Attrition by arm: retention ranged from {low['retention']:.0%} ({low['arm']}) "
                f"to {high['retention']:.0%} ({high['arm']}); a share compares the same "
                "ratings at both times, but arms that lost more people may have lost "
                "different people.",
            )
        )
    return out


def conversation_findings(results: Results) -> list[Finding]:
    """Each model's conversation arm against its static arm, then each conversation writer's
    persuasion by turns and by words of the model's replies."""
    pct, alpha, out = _pct(results.plan.confidence), _alpha(results), []
    for _, row in results.format_contrasts.iterrows():
        chat, static = row["writer"], row["static_writer"]
        if row["p_holm"] < alpha:
            side = "more" if row["estimate"] > 0 else "less"
            verdict = f"the conversation is {side} persuasive than the static message"
        else:
            verdict = "no difference between the formats is shown"
        out.append(
            Finding(
                "conversation",
                str(chat),
                f"{chat} (conversation) vs {static} (static), both {row['model']}: "
                f"{fmt(row['estimate'])} scale points [{pct} CI {fmt(row['ci_low'])}, "
                f"{fmt(row['ci_high'])}] (ANCOVA, clustered SEs; {int(row['n_conversation'])} "
                f"and {int(row['n_static'])} ratings): {verdict} "
                f"(Holm p {fmt_p(row['p_holm'])}).",
            )
        )
    dose = results.dose
    for writer, group in dose.groupby("writer", sort=False) if not dose.empty else ():
        out.append(Finding("conversation", str(writer), _dose_sentence(str(writer), group, pct)))
    return out


def _dose_sentence(writer: str, group: pd.DataFrame, pct: str) -> str:
    parts = []
    for _, row in group.iterrows():
        what = "each further turn" if row["measure"] == "turns" else "each 100 words it wrote"
        if row["note"]:
            parts.append(f"{what}: {row['note']}")
            continue
        span = (
            f"{int(row['low'])} to {int(row['high'])} turns"
            if row["measure"] == "turns"
            else f"{row['low'] * 100:.0f} to {row['high'] * 100:.0f} words"
        )
        parts.append(
            f"{what} goes with {fmt(row['slope'])} scale points [{pct} CI {fmt(row['ci_low'])}, "
            f"{fmt(row['ci_high'])}] (over {span})"
        )
    return (
        f"{writer}: {'; '.join(parts)}. Participants chose how long to converse, so these are "
        "associations, not effects of a longer conversation."
    )
