"""Figures in one style for the whole project: Okabe-Ito colours (colour-blind-safe), sized for
one (3.5 in) or two (7.2 in) paper columns, saved as PNG, PDF and SVG.

Each function takes result tables (tidy DataFrames) and returns a matplotlib Figure; captions
(what the bars are) live in `CAPTIONS` and go into the report next to each figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.checks import check_option
from analysis.palette import CLASS_PALETTE, CONTROL, EQUIVALENCE, HUMAN, STRATEGY_PALETTE

KIND_COLOURS = {"model": CLASS_PALETTE[0], "human": HUMAN, "control": CONTROL}
WIDTHS = {"one": 3.5, "two": 7.2}
Width = Literal["one", "two"]
FORMATS = ("png", "pdf", "svg")
STYLE: dict[Any, Any] = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}
PERSUASION_LABEL = "Persuasion (scale points on 1–7, toward the argument)"
DIFFERENCE_LABEL = "Difference from {reference} (scale points)"


@contextmanager
def style() -> Iterator[None]:
    """The project's figure style (use around any figure the project draws). Figures are
    matplotlib `Figure` objects drawn without pyplot, so no GUI backend is ever chosen."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(width: Width, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size(width, height), layout="constrained")
    return fig, fig.subplots()


def size(width: Width, height: float) -> tuple[float, float]:
    check_option("width", width, tuple(WIDTHS))
    return WIDTHS[width], height


def class_colours(classes: list[str]) -> dict[str, str]:
    """A stable colour per model class (sorted), from the colour-blind-checked palette."""
    return {c: CLASS_PALETTE[i % len(CLASS_PALETTE)] for i, c in enumerate(sorted(set(classes)))}


def _meta(data: pd.DataFrame) -> pd.DataFrame:
    return data.drop_duplicates("writer").set_index("writer")


def _colour(meta: pd.DataFrame, writer: str, colours: dict[str, str]) -> str:
    kind = meta.loc[writer, "writer_kind"]
    if kind == "model":
        return colours.get(str(meta.loc[writer, "model_class"]), CLASS_PALETTE[0])
    return KIND_COLOURS.get(str(kind), CONTROL)


def _reference_band(
    ax: Axes, estimates: pd.DataFrame, reference: str, vertical: bool, what: str = "95% CI"
) -> None:
    if reference not in set(estimates["writer"]):
        return
    ref = estimates.set_index("writer").loc[reference]
    span, line = (ax.axvspan, ax.axvline) if vertical else (ax.axhspan, ax.axhline)
    span(ref["ci_low"], ref["ci_high"], color=HUMAN, alpha=0.18, lw=0, label=f"{reference} {what}")
    line(ref["mean_persuasion"], color=HUMAN, lw=1, ls="--", label=f"{reference} mean")


def writer_means_figure(
    estimates: pd.DataFrame,
    data: pd.DataFrame,
    reference: str = "human",
    width: Width = "one",
    what: str = "95% CI",
) -> Figure:
    """Mean persuasion per writer (ordered as given: by class and generation) with error bars
    (`estimates` ci_low/ci_high: a CI, or mean ± SEM, named by `what`), n per bar, model
    classes labelled and in the legend, the control arm set apart below a rule, the reference
    writer's mean and interval as a band."""
    meta = _meta(data)
    classes = [str(c) for c in meta["model_class"][meta["writer_kind"] == "model"]]
    colours = class_colours(classes)
    est = estimates[estimates["writer"] != reference].reset_index(drop=True)
    kinds = [str(meta.loc[w, "writer_kind"]) for w in est["writer"]]
    # y positions top-down; a gap before the control arm
    y = -np.arange(len(est), dtype=float) - np.array([0.6 * (k == "control") for k in kinds])
    with style():
        fig, ax = new_figure(width, 1.1 + 0.27 * len(est))
        _reference_band(ax, estimates, reference, vertical=True, what=what)
        err = np.nan_to_num(
            [est["mean_persuasion"] - est["ci_low"], est["ci_high"] - est["mean_persuasion"]]
        )
        ax.barh(
            y,
            est["mean_persuasion"],
            xerr=err,
            color=[_colour(meta, w, colours) for w in est["writer"]],
            capsize=2,
            error_kw={"elinewidth": 0.8},
        )
        ax.set_yticks(y, est["writer"].astype(str))
        right = np.nanmax(np.r_[est["ci_high"].to_numpy(float), est["mean_persuasion"], 0])
        for yi, n in zip(y, est["n_ratings"], strict=True):
            ax.annotate(
                f"n={int(n)}",
                (right, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=6.5,
                color="#333333",
            )
        _group_labels(ax, y, kinds, [str(meta.loc[w, "model_class"]) for w in est["writer"]])
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel(PERSUASION_LABEL)
        ax.margins(x=0.12)
        handles = [Patch(color=colours[c], label=f"{c} models") for c in sorted(colours)]
        handles += [Patch(color=KIND_COLOURS[k], label=k) for k in ("control",) if k in kinds]
        band, _labels = ax.get_legend_handles_labels()
        fig.legend(handles=[*handles, *band], loc="outside lower center", ncols=2, frameon=False)
    return fig


def _group_labels(ax: Axes, y: np.ndarray, kinds: list[str], classes: list[str]) -> None:
    """Class names beside their group of bars, and a rule above the control arm."""
    for cls in dict.fromkeys(c for c, k in zip(classes, kinds, strict=True) if k == "model"):
        ys = [yi for yi, c, k in zip(y, classes, kinds, strict=True) if c == cls and k == "model"]
        ax.annotate(
            cls,
            (0, float(np.mean(ys))),
            xycoords=("axes fraction", "data"),
            xytext=(-62, 0),
            textcoords="offset points",
            rotation=90,
            va="center",
            ha="center",
            fontweight="bold",
            annotation_clip=False,
        )
    if "control" in kinds:
        ax.axhline(y[kinds.index("control")] + 0.8, color="#999999", lw=0.6, ls=":")


def scaling_figure(
    estimates: pd.DataFrame, data: pd.DataFrame, reference: str = "human", width: Width = "one"
) -> Figure:
    """Mean persuasion by generation order within each model class (95% bootstrap CIs), the
    reference writer's mean and CI as a band."""
    meta = _meta(data)
    models = meta[meta["writer_kind"] == "model"]
    colours = class_colours([str(c) for c in models["model_class"]])
    est = estimates.set_index("writer")
    with style():
        fig, ax = new_figure(width, 2.6)
        _reference_band(ax, estimates, reference, vertical=False)
        n_classes = models["model_class"].nunique()
        for i, (cls, group) in enumerate(models.groupby("model_class", sort=True)):
            group = group.sort_values("generation_order")
            writers = [w for w in group.index if w in est.index]
            dodge = 0.06 * (i - (n_classes - 1) / 2)
            x = group.loc[writers, "generation_order"].to_numpy(float) + dodge
            y = est.loc[writers, "mean_persuasion"].to_numpy(float)
            err = [y - est.loc[writers, "ci_low"], est.loc[writers, "ci_high"] - y]
            c = colours[str(cls)]
            ax.errorbar(x, y, yerr=err, color=c, marker="o", ms=4, capsize=2, lw=1, label=cls)
            for xi, yi, w in zip(x, y, writers, strict=True):
                ax.annotate(str(w), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7)
        ax.set_xlabel("Generation (order within class)")
        ax.set_ylabel("Mean persuasion (scale points)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.15)
        _legend(fig, ax, ncols=2)
    return fig


def strategy_figure(strategy_estimates: pd.DataFrame, width: Width = "two") -> Figure:
    """Mean persuasion per model writer and prompting strategy, 95% bootstrap CIs."""
    frame = strategy_estimates
    writers = list(dict.fromkeys(frame["writer"]))
    strategies = sorted(set(frame["strategy"].astype(str)))
    with style():
        fig, ax = new_figure(width, 2.6)
        step = 0.8 / max(len(strategies), 1)
        for j, s in enumerate(strategies):
            sub = frame[frame["strategy"] == s].set_index("writer").reindex(writers)
            x = np.arange(len(writers)) - 0.4 + step * (j + 0.5)
            y = sub["mean_persuasion"].to_numpy(float)
            err = [y - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - y]
            ax.errorbar(
                x,
                y,
                yerr=err,
                fmt="o",
                ms=3,
                capsize=1.5,
                lw=0.8,
                color=STRATEGY_PALETTE[j % len(STRATEGY_PALETTE)],
                label=s.replace("_", " "),
            )
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(np.arange(len(writers)), writers, rotation=20, ha="right")
        ax.set_xlabel("Model writer")
        ax.set_ylabel("Mean persuasion (scale points)")
        fig.legend(loc="outside upper center", ncols=min(len(strategies), 4), frameon=False)
    return fig


def changes_figure(data: pd.DataFrame, width: Width = "one") -> Figure:
    """Share of ratings at each persuasion value (after − before), by writer kind."""
    kinds = [k for k in ("model", "human", "control") if k in set(data["writer_kind"])]
    observed = data["persuasion"].astype(int)
    reach = max(2, int(observed.abs().max())) if len(observed) else 2
    values = np.arange(-reach, reach + 1)  # the values that occur, symmetric around 0
    with style():
        fig, ax = new_figure(width, 2.4)
        step = 0.8 / len(kinds)
        for j, kind in enumerate(kinds):
            p = data.loc[data["writer_kind"] == kind, "persuasion"].astype(int)
            share = p.value_counts(normalize=True).reindex(values, fill_value=0.0)
            ax.bar(
                values - 0.4 + step * (j + 0.5),
                share,
                width=step,
                color=KIND_COLOURS[kind],
                label=f"{kind} (n={len(p)})",
            )
        ax.set_xlabel(PERSUASION_LABEL)
        ax.set_ylabel("Share of ratings")
        ax.set_xticks(values)
        ax.legend(frameon=False)
    return fig


def starting_figure(starting: pd.DataFrame, width: Width = "one") -> Figure:
    """Mean persuasion by starting rating (toward-the-argument scale), by writer kind, with
    95% t-intervals over ratings; the dotted line is the most a rating could move."""
    with style():
        fig, ax = new_figure(width, 2.4)
        for kind, sub in starting.groupby("writer_kind", sort=False):
            y = sub["mean_persuasion"].to_numpy(float)
            err = [y - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - y]
            ax.errorbar(
                sub["before_toward"],
                y,
                yerr=np.nan_to_num(err),
                marker="o",
                ms=3,
                capsize=2,
                lw=1,
                color=KIND_COLOURS.get(str(kind), CONTROL),
                label=str(kind),
            )
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("Starting rating (1–7; 7 = already at the argument's end)")
        ax.set_ylabel("Mean persuasion (scale points)")
        ax.set_xticks(range(1, 8))
        ax.legend(frameon=False)
    return fig


def equivalence_figure(
    contrasts: pd.DataFrame,
    bound: float,
    width: Width = "one",
    reference: str = "human",
    confidence: float = 0.95,
) -> Figure:
    """Each contrast with its (1 - 2 alpha) CI (the TOST interval, thick) and its confidence CI
    (thin) against the equivalence region (-bound, +bound), with the TOST verdict per row."""
    c = contrasts.iloc[::-1]
    pct, tost = f"{confidence * 100:g}%", f"{(2 * confidence - 1) * 100:g}%"
    with style():
        fig, ax = new_figure(width, 1.0 + 0.27 * len(c))
        ax.axvspan(
            -bound, bound, color=EQUIVALENCE, alpha=0.15, lw=0, label=f"equivalence ±{bound:g}"
        )
        y = np.arange(len(c))
        ax.hlines(y, c["ci_low"], c["ci_high"], color="black", lw=0.8, label=f"{pct} CI")
        ax.hlines(
            y, c["tost_low"], c["tost_high"], color="black", lw=2.5, label=f"{tost} CI (TOST)"
        )
        ax.plot(c["estimate"], y, "o", color="white", mec="black", ms=4)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_yticks(y, c["writer"].astype(str))
        span = np.nanmax(np.abs(np.r_[c["ci_low"], c["ci_high"], bound])) * 1.15
        ax.set_xlim(-span, span * 1.9)  # room on the right for the verdicts
        for yi, eq, p in zip(y, c["equivalent"], c["p_tost"], strict=True):
            verdict = f"equivalent (p={p:.3f})" if bool(eq) else f"not shown (p={p:.3f})"
            ax.annotate(verdict, (span * 1.05, yi), va="center", fontsize=6.5)
        ax.set_xlabel(DIFFERENCE_LABEL.format(reference=reference))
        fig.legend(loc="outside lower center", ncols=3, frameon=False)
    return fig


def _legend(fig: Figure, ax: Axes, ncols: int) -> None:
    """A legend below the axes, only when something is labelled."""
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="outside lower center", ncols=ncols, frameon=False)


def save_figure(
    fig: Figure, out_dir: Path, stem: str, formats: tuple[str, ...] = FORMATS
) -> dict[str, Path]:
    """Save as PNG (300 dpi), PDF and SVG (or the given `formats`); return paths by format."""
    for fmt in formats:
        check_option("format", fmt, FORMATS)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        fig.savefig(path, dpi=300 if fmt == "png" else None)
        paths[fmt] = path
    return paths
