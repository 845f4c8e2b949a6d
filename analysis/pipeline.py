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
from analysis.conversations import conversation_sections
from analysis.effects import effect_sizes, pool_waves
from analysis.equivalence import control_check
from analysis.errors import AnalysisError
from analysis.estimates import before_sd, exclusion_counts, waves_by_writer, writer_means
from analysis.follow_up import follow_up_sections
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
    # conversations: conversation vs static of one model, persuasion by turns and by words
    format_contrasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    dose: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_turns: pd.DataFrame = field(default_factory=pd.DataFrame)
    # follow-up waves: the share of the effect that remains per arm, and who answered
    durability: pd.DataFrame = field(default_factory=pd.DataFrame)
    attrition: pd.DataFrame = field(default_factory=pd.DataFrame)


def writer_order(data: pd.DataFrame) -> list[str]:
    """Writers ordered by class, then generation order; humans and control last."""
    meta = data.drop_duplicates("writer")
    rank = {"model": 0, "human": 1, "control": 2}
    meta = meta.assign(_rank=meta["writer_kind"].map(rank).fillna(0))
    meta = meta.sort_values(["_rank", "model_class", "generation_order", "writer"])
    return [str(w) for w in meta["writer"]]


def analyse(
    ratings: pd.DataFrame,
    plan: AnalysisPlan,
    seed: int = 0,
    writers: Sequence[str] = (),
    follow_ups: pd.DataFrame | None = None,
) -> Results:
    """Run every estimator of the plan on the kept ratings of `ratings`. `writers` (the study
    file's writer ids) lets a writer without any rating be named in the notes too;
    `follow_ups` (`analysis.follow_up_table.follow_up_answers`) adds the durability sections."""
    data = _kept_or_refuse(ratings)
    notes: dict[str, str] = {}
    order = writer_order(data)
    sd = before_sd(opinion(data))
    conf = plan.confidence
    estimates, strat = _descriptive(data, plan, seed, sd, order)
    fits = _model_fits(data, plan, notes)
    scaling, control = fits["scaling"], fits["control"]
    pairwise = clean_pairwise(pairwise_tests(data))
    starting = by_starting_rating(opinion(data), conf)
    extra = {
        "writers": dropped_writers(ratings, data, writers),
        "estimates": estimate_note(estimates),
        "strategy_estimates": estimate_note(strat),
        "control": "" if control.empty else str(control["note"].iloc[0]),
        "pairwise": pairwise[1],
        "scaling_model_means": scaling_note(scaling),
        "starting_rating": starting_note(starting),
    }
    effects = _ordered(effect_sizes(data, plan.reference), order)
    fitted = {k: fits[k] for k in ("contrasts", "grid", "sensitivity", "ordinal")}
    extra |= {k: blank_note(f, "cell" if k == "grid" else "writer") for k, f in fitted.items()}
    lasting, lost, extra["durability"] = follow_up_sections(data, follow_ups, plan, seed)
    fitted |= conversation_sections(data, conf, extra)
    notes |= {k: v for k, v in extra.items() if v}
    return Results(
        plan=plan,
        ratings=ratings,
        data=data,
        order=order,
        estimates=estimates,
        pairwise=pairwise[0],
        scaling=scaling,
        control=control,
        starting=starting,
        effects=effects,
        pooled_effects=pool_waves(effects, conf),
        scale_sd=sd,
        notes=notes,
        **_by_writer_order(
            order,
            exclusions=exclusion_counts(ratings),
            reference_summary=reference_summary(data),
            strategy_estimates=strat,
            durability=lasting,
            attrition=lost,
            **fitted,
        ),
    )


def _kept_or_refuse(ratings: pd.DataFrame) -> pd.DataFrame:
    data = kept(ratings)
    if data.empty:
        raise AnalysisError(
            "no kept ratings to analyse (every rating is excluded or the study has none); "
            "run fieldwork (or the simulated panel) first"
        )
    return data


def _descriptive(
    data: pd.DataFrame, plan: AnalysisPlan, seed: int, sd: float, order: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean persuasion per writer (in writer order, with the waves each comes from) and per
    model writer x strategy, with claim-bootstrap intervals."""
    n_boot, conf = plan.bootstrap_resamples, plan.confidence
    estimates = writer_means(data, n_resamples=n_boot, confidence=conf, seed=seed, scale_sd=sd)
    estimates = estimates.set_index("writer").loc[order].reset_index()
    waves = waves_by_writer(data)
    estimates["waves"] = [waves.get(str(w), "") for w in estimates["writer"]]
    models = data[data["writer_kind"] == "model"]
    strat = writer_means(
        models, ["writer", "strategy"], n_resamples=n_boot, confidence=conf, seed=seed, scale_sd=sd
    )
    return estimates, strat


def _model_fits(
    data: pd.DataFrame, plan: AnalysisPlan, notes: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The model-based sections (ANCOVA contrasts, strategy grid, scaling, control arm,
    sensitivity without the bound, ordinal check); a section the data cannot support is an
    empty frame with its reason in `notes`."""
    ref, bound, conf = plan.reference, plan.smallest_effect, plan.confidence

    def attempt(name: str, fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        return _attempt(notes, name, fn)

    fits = {
        "contrasts": attempt(
            "contrasts", lambda: ancova_contrasts(data, ref, smallest_effect=bound, confidence=conf)
        ),
        "grid": attempt(
            "grid", lambda: strategy_grid(data, ref, smallest_effect=bound, confidence=conf)
        ),
        "scaling": attempt("scaling", lambda: scaling_trend(data, confidence=conf)),
        "control": attempt("control", lambda: control_check(data, bound, confidence=conf)),
        "sensitivity": attempt(
            "sensitivity",
            lambda: ancova_contrasts(
                without_bound(data), ref, smallest_effect=bound, confidence=conf
            ),
        ),
        "ordinal": attempt("ordinal", lambda: ordinal_contrasts(data, ref, confidence=conf)),
    }
    if fits["scaling"].empty and "scaling" not in notes:
        notes["scaling"] = "no model class has two generations or more"
    if fits["control"].empty and "control" not in notes:
        notes["control"] = "the data have no control arm (arguments against indisputable facts)"
    return fits


def _attempt(notes: dict[str, str], name: str, fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """`fn()`, or an empty frame with the reason in `notes[name]` when the data cannot
    support it."""
    try:
        return fn()
    except ValueError as exc:
        notes[name] = str(exc)
        return pd.DataFrame()


def _by_writer_order(order: list[str], **frames: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each frame with its rows in writer order."""
    return {name: _ordered(frame, order) for name, frame in frames.items()}


def _ordered(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rows by writer order (class, generation; humans, control last), then by strategy."""
    if frame.empty or "writer" not in frame.columns:
        return frame
    rank = {w: i for i, w in enumerate(order)}
    keys = ["writer", "strategy"] if "strategy" in frame.columns else ["writer"]

    def key(col: pd.Series) -> pd.Series:
        return col.map(rank).fillna(len(rank)) if col.name == "writer" else col.astype(str)

    return frame.sort_values(keys, key=key, kind="stable").reset_index(drop=True)
