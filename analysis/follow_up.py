"""Durability: how much of the effect remains at a follow-up wave, and who answered it.

The participants of a wave are asked again, `follow_up.after_days` later, how much they
support the claims they rated (no argument shown). For each rating whose participant
answered, the lasting persuasion is `direction * (follow_up - before)` and the immediate one
`direction * (after - before)`, so both are measured against the same before-rating.

    share = mean(lasting) / mean(immediate)      over the ratings answered at the follow-up

per arm (writer, and format where the data have one). The ratio is taken on the same
ratings, so attrition changes which ratings enter it, not what it compares; attrition by arm
is reported beside it (`attrition`) so a reader can see when an arm lost more people.

Interval: a percentile bootstrap that resamples participants (the unit that answers or not,
and whose ratings are correlated), vectorised like `analysis.bootstrap`: participant weights
x per-participant sums of lasting and immediate persuasion, one set of resamples shared by
every arm. A resample whose immediate effect is <= 0 gives no ratio; the interval is left
blank (NaN) when more than `MAX_UNDEFINED` of the resamples do (the immediate effect is too
close to zero for a share to mean anything), and the note says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.bootstrap import claim_weights
from analysis.checks import require_columns
from analysis.errors import AnalysisError
from study import AnalysisPlan

MAX_UNDEFINED = 0.025  # share of resamples with no ratio above which the interval is blank

DURABILITY_COLUMNS = [
    "n_ratings",
    "n_participants",
    "immediate",
    "immediate_low",
    "immediate_high",
    "lasting",
    "lasting_low",
    "lasting_high",
    "share",
    "share_low",
    "share_high",
    "days",
]
ATTRITION_COLUMNS = [
    "ratings_asked",
    "ratings_answered",
    "participants_asked",
    "participants_answered",
    "retention",
    "retention_low",
    "retention_high",
]


FOLLOW_UP_COLUMNS = ["session", "position", "follow_up_wave", "follow_up", "follow_up_days"]


def with_follow_up(data: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """The ratings of `data` that were asked again at a follow-up, with its columns (the
    latest follow-up when a rating was asked at several)."""
    if answers.empty:
        return data.iloc[0:0].assign(**{c: pd.Series(dtype="float") for c in FOLLOW_UP_COLUMNS[2:]})
    latest = answers.sort_values("follow_up_wave").drop_duplicates(
        ["session", "position"], keep="last"
    )
    return data.merge(latest, on=["session", "position"], how="inner", validate="one_to_one")


def follow_up_sections(
    data: pd.DataFrame, answers: pd.DataFrame | None, plan: AnalysisPlan, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The report's durability and attrition tables from the kept ratings and the follow-up
    answers (`analysis.follow_up_table.follow_up_answers`), and a note when they are empty
    although the study has a follow-up."""
    if answers is None or answers.empty:
        return pd.DataFrame(), pd.DataFrame(), ""
    asked = with_follow_up(data, answers)
    lost = attrition(asked, confidence=plan.confidence)
    try:
        lasting = durability(
            asked, n_resamples=plan.bootstrap_resamples, confidence=plan.confidence, seed=seed
        )
    except AnalysisError as exc:
        return pd.DataFrame(), lost, str(exc)
    note = ""
    if lasting["share_low"].isna().any():
        blank = ", ".join(map(str, lasting.loc[lasting["share_low"].isna(), "writer"]))
        note = (
            f"no interval for the share that remains for {blank}: the immediate effect is too "
            "close to zero (or below it) for a share of it to mean anything"
        )
    return lasting, lost, note


def arms(data: pd.DataFrame) -> list[str]:
    """The columns that define an arm: the writer, and its format when the data have one."""
    return ["writer", "format"] if "format" in data.columns else ["writer"]


def durability(
    data: pd.DataFrame,
    by: Sequence[str] | None = None,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """The share of the effect that remains at the follow-up, per arm, with bootstrap
    intervals over participants (see the module docstring).

    `data`: kept ratings with `follow_up` (support at the follow-up, NaN when not answered),
    `participant`, `direction`, `before`, `after` and the arm columns (default `arms(data)`).
    Output: the arm column(s), then `DURABILITY_COLUMNS` (`days`: median days between the
    rating and its follow-up answer, when `follow_up_days` is present); one row per arm that
    has answered ratings, in order of first appearance."""
    keys = list(by) if by is not None else arms(data)
    require_columns(
        data, [*keys, "participant", "direction", "before", "after", "follow_up"], "durability"
    )
    answered = data[data["follow_up"].notna()].copy()
    if answered.empty:
        raise AnalysisError(
            "no rating has a follow-up answer yet; open the follow-up wave "
            "(`persuasion field follow-up STUDY`) and wait for its answers"
        )
    answered["immediate"] = answered["direction"] * (answered["after"] - answered["before"])
    answered["lasting"] = answered["direction"] * (answered["follow_up"] - answered["before"])
    people = sorted(answered["participant"].unique())
    index = {p: i for i, p in enumerate(people)}
    weights = claim_weights(len(people), n_resamples, np.random.default_rng(seed))
    rows = []
    for name, group in answered.groupby(keys, sort=False, observed=True):
        row = dict(zip(keys, name if isinstance(name, tuple) else (name,), strict=True))
        rows.append(row | _arm(group, index, weights, confidence))
    return pd.DataFrame(rows, columns=[*keys, *DURABILITY_COLUMNS])


def _arm(
    group: pd.DataFrame, index: dict[object, int], weights: np.ndarray, confidence: float
) -> dict[str, float]:
    """One arm's estimates: per-participant sums, then the shared resamples."""
    pos = group["participant"].map(index).to_numpy(int)
    n = len(index)
    sums = {
        col: np.bincount(pos, weights=group[col].to_numpy(float), minlength=n)
        for col in ("immediate", "lasting")
    }
    count = np.bincount(pos, minlength=n).astype(float)
    w_count = weights @ count
    with np.errstate(divide="ignore", invalid="ignore"):
        imm = (weights @ sums["immediate"]) / w_count
        last = (weights @ sums["lasting"]) / w_count
        ratio = np.where(imm > 0, last / imm, np.nan)
    alpha = (1 - confidence) / 2
    immediate, lasting = group["immediate"].mean(), group["lasting"].mean()
    undefined = float(np.mean(np.isnan(ratio)))
    share_ci = (
        tuple(np.nanquantile(ratio, [alpha, 1 - alpha]))
        if undefined <= MAX_UNDEFINED
        else (np.nan, np.nan)
    )
    days = group["follow_up_days"].median() if "follow_up_days" in group.columns else np.nan
    return {
        "n_ratings": float(len(group)),
        "n_participants": float(group["participant"].nunique()),
        "immediate": immediate,
        "immediate_low": float(np.nanquantile(imm, alpha)),
        "immediate_high": float(np.nanquantile(imm, 1 - alpha)),
        "lasting": lasting,
        "lasting_low": float(np.nanquantile(last, alpha)),
        "lasting_high": float(np.nanquantile(last, 1 - alpha)),
        "share": lasting / immediate if immediate > 0 else np.nan,
        "share_low": float(share_ci[0]),
        "share_high": float(share_ci[1]),
        "days": float(days),
    }


def attrition(
    data: pd.DataFrame, by: Sequence[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Who answered the follow-up, per arm: of the kept ratings of invited participants
    (`data`, with `follow_up` NaN when not answered), how many ratings and participants were
    asked and answered; `retention` (answered ratings / asked) with a Wilson interval.
    Output: the arm column(s), then `ATTRITION_COLUMNS`."""
    keys = list(by) if by is not None else arms(data)
    require_columns(data, [*keys, "participant", "follow_up"], "attrition")
    rows = []
    for name, group in data.groupby(keys, sort=False, observed=True):
        row = dict(zip(keys, name if isinstance(name, tuple) else (name,), strict=True))
        done = group["follow_up"].notna()
        asked, answered = len(group), int(done.sum())
        low, high = proportion_confint(answered, asked, alpha=1 - confidence, method="wilson")
        rows.append(
            row
            | {
                "ratings_asked": asked,
                "ratings_answered": answered,
                "participants_asked": group["participant"].nunique(),
                "participants_answered": group.loc[done, "participant"].nunique(),
                "retention": answered / asked,
                "retention_low": float(low),
                "retention_high": float(high),
            }
        )
    return pd.DataFrame(rows, columns=[*keys, *ATTRITION_COLUMNS])
