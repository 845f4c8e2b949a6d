"""The whole analysis plan (DESIGN.md §4) over one tidy ratings table, as one frozen result.

Each section that the data cannot support (no control arm, one generation per class, ...) is
left empty with a note saying why; the report shows the notes. Nothing is silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.ancova import ancova_contrasts, strategy_grid
from analysis.caveats import (
    blank_note,
    clean_pairwise,
    dropped_writers,
    estimate_note,
    scaling_note,
    starting_note,
)
from analysis.ceiling import by_starting_rating, without_bound
from analysis.checks import opinion
from analysis.effects import effect_sizes, pool_waves
from analysis.equivalence import control_check
from analysis.errors import AnalysisError
from analysis.estimates import before_sd, exclusion_counts, waves_by_writer, writer_means
from analysis.ordinal import ordinal_contrasts
from analysis.reference import pairwise_tests, reference_summary
from analysis.scaling import scaling_trend
from analysis.tidy import kept
from study import AnalysisPlan


@dataclass(frozen=True)
class Results:
    """Every table of the analysis plan (tidy DataFrames) and notes on what was not
    estimated or left blank (by section)."""

    plan: AnalysisPlan
    ratings: pd.DataFrame  # all ratings, excluded ones with their reason
    data: pd.DataFrame  # the kept ratings
    order: list[str]  # writers by class and generation, then humans, then control
    exclusions: pd.DataFrame
    estimates: pd.DataFrame
    strategy_estimates: pd.DataFrame
    reference_summary: pd.DataFrame
    pairwise: pd.DataFrame
    contrasts: pd.DataFrame
    grid: pd.DataFrame
    scaling: pd.DataFrame
    control: pd.DataFrame
    starting: pd.DataFrame
    sensitivity: pd.DataFrame
    ordinal: pd.DataFrame
    effects: pd.DataFrame  # Hedges' g per contrast and wave, for meta-analysis
    pooled_effects: pd.DataFrame  # random-effects pooling across waves (contrasts in 2+ waves)
    scale_sd: float
    notes: dict[str, str] = field(default_factory=dict)


def writer_order(data: pd.DataFrame) -> list[str]:
    """Writers ordered by class, then generation order; humans and control last."""
    meta = data.drop_duplicates("writer")
    rank = {"model": 0, "human": 1, "control": 2}
    meta = meta.assign(_rank=meta["writer_kind"].map(rank).fillna(0))
    meta = meta.sort_values(["_rank", "model_class", "generation_order", "writer"])
    return [str(w) for w in meta["writer"]]


def analyse(
    ratings: pd.DataFrame, plan: AnalysisPlan, seed: int = 0, writers: Sequence[str] = ()
) -> Results:
    """Run every estimator of the plan on the kept ratings of `ratings`. `writers` (the study
    file's writer ids) lets a writer without any rating be named in the notes too."""
    data = kept(ratings)
    if data.empty:
        raise AnalysisError(
            "no kept ratings to analyse (every rating is excluded or the study has none); "
            "run fieldwork (or the simulated panel) first"
        )
    notes: dict[str, str] = {}
    order = writer_order(data)
    sd = before_sd(opinion(data))
    n_boot, conf = plan.bootstrap_resamples, plan.confidence
    estimates = writer_means(data, n_resamples=n_boot, confidence=conf, seed=seed, scale_sd=sd)
    estimates = estimates.set_index("writer").loc[order].reset_index()
    waves = waves_by_writer(data)
    estimates["waves"] = [waves.get(str(w), "") for w in estimates["writer"]]
    models = data[data["writer_kind"] == "model"]
    strat = writer_means(
        models, ["writer", "strategy"], n_resamples=n_boot, confidence=conf, seed=seed, scale_sd=sd
    )
    ref, bound = plan.reference, plan.smallest_effect

    def attempt(name: str, fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        try:
            return fn()
        except ValueError as exc:
            notes[name] = str(exc)
            return pd.DataFrame()

    contrasts = attempt(
        "contrasts", lambda: ancova_contrasts(data, ref, smallest_effect=bound, confidence=conf)
    )
    grid = attempt("grid", lambda: strategy_grid(data, ref, smallest_effect=bound, confidence=conf))
    scaling = attempt("scaling", lambda: scaling_trend(data, confidence=plan.confidence))
    if scaling.empty and "scaling" not in notes:
        notes["scaling"] = "no model class has two generations or more"
    control = attempt("control", lambda: control_check(data, plan.smallest_effect, confidence=conf))
    if control.empty and "control" not in notes:
        notes["control"] = "the data have no control arm (arguments against indisputable facts)"
    pairwise, starting = (
        clean_pairwise(pairwise_tests(data)),
        by_starting_rating(opinion(data), conf),
    )
    extra = {
        "writers": dropped_writers(ratings, data, writers),
        "estimates": estimate_note(estimates),
        "strategy_estimates": estimate_note(strat),
        "control": "" if control.empty else str(control["note"].iloc[0]),
        "pairwise": pairwise[1],
        "scaling_model_means": scaling_note(scaling),
        "starting_rating": starting_note(starting),
    }
    sensitivity = attempt(
        "sensitivity",
        lambda: ancova_contrasts(without_bound(data), ref, smallest_effect=bound, confidence=conf),
    )
    ordinal = attempt("ordinal", lambda: ordinal_contrasts(data, ref, confidence=plan.confidence))
    effects = _ordered(effect_sizes(data, ref), order)
    for name, frame, label in (
        ("contrasts", contrasts, "writer"),
        ("grid", grid, "cell"),
        ("sensitivity", sensitivity, "writer"),
        ("ordinal", ordinal, "writer"),
    ):
        extra[name] = blank_note(frame, label)
    notes |= {k: v for k, v in extra.items() if v}
    return Results(
        plan=plan,
        ratings=ratings,
        data=data,
        order=order,
        exclusions=_ordered(exclusion_counts(ratings), order),
        estimates=estimates,
        strategy_estimates=_ordered(strat, order),
        reference_summary=_ordered(reference_summary(data), order),
        pairwise=pairwise[0],
        contrasts=_ordered(contrasts, order),
        grid=_ordered(grid, order),
        scaling=scaling,
        control=control,
        starting=starting,
        sensitivity=_ordered(sensitivity, order),
        ordinal=_ordered(ordinal, order),
        effects=effects,
        pooled_effects=pool_waves(effects, conf),
        scale_sd=sd,
        notes=notes,
    )


def _ordered(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rows by writer order (class, generation; humans, control last), then by strategy."""
    if frame.empty or "writer" not in frame.columns:
        return frame
    rank = {w: i for i, w in enumerate(order)}
    keys = ["writer", "strategy"] if "strategy" in frame.columns else ["writer"]

    def key(col: pd.Series) -> pd.Series:
        return col.map(rank).fillna(len(rank)) if col.name == "writer" else col.astype(str)

    return frame.sort_values(keys, key=key, kind="stable").reset_index(drop=True)
