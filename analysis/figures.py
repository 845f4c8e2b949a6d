"""Figures in one style for the whole project (colour-blind-safe Okabe-Ito palette)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
KIND_COLOURS = {"model": "#0072B2", "human": "#E69F00", "control": "#7F7F7F"}
ONE_COLUMN_IN = 3.5
TWO_COLUMN_IN = 7.2
FORMATS = ("png", "pdf", "svg")


def writer_means_figure(
    estimates: pd.DataFrame, kinds: dict[str, str], reference: str | None = None
) -> plt.Figure:
    """Horizontal bars of mean persuasion per writer with 95% CI error bars; the reference
    writer's CI is drawn as a band across the plot."""
    est = estimates.iloc[::-1]
    height = 0.9 + 0.32 * len(est)
    fig, ax = plt.subplots(figsize=(TWO_COLUMN_IN * 0.75, height), layout="constrained")
    if reference is not None and reference in set(estimates["writer"]):
        ref = estimates.set_index("writer").loc[reference]
        ax.axvspan(
            ref["ci_low"],
            ref["ci_high"],
            color=KIND_COLOURS["human"],
            alpha=0.15,
            label=f"{reference} 95% CI",
        )
    colours = [KIND_COLOURS.get(kinds.get(w, "model"), OKABE_ITO[0]) for w in est["writer"]]
    err = [est["mean_persuasion"] - est["ci_low"], est["ci_high"] - est["mean_persuasion"]]
    ax.barh(
        est["writer"],
        est["mean_persuasion"],
        xerr=err,
        color=colours,
        capsize=3,
        error_kw={"elinewidth": 1},
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Mean persuasion (after − before, toward the argument)")
    ax.spines[["top", "right"]].set_visible(False)
    if reference is not None:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig


def save_figure(fig: plt.Figure, out_dir: Path, stem: str) -> dict[str, Path]:
    """Save as PNG (200 dpi), PDF and SVG; return the paths by format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in FORMATS:
        path = out_dir / f"{stem}.{fmt}"
        fig.savefig(path, dpi=200 if fmt == "png" else None)
        paths[fmt] = path
    plt.close(fig)
    return paths
