"""Conversations: the format contrast (a model's conversation arm against its static arm) and
persuasion by how long the conversation was.

Format contrast, for each model with a static and a conversation writer (the `model` column
they share), on the two arms' opinion ratings:

    after ~ writer (reference: the static writer) + C(before) + C(claim)

the primary ANCOVA of `analysis.ancova` restricted to the pair (claim-clustered SEs, two-way
with participant when participants rate several items, t-based inference), Holm-adjusted
across the models compared. Randomisation makes this causal: participants were assigned the
format, not chosen it.

Dose, for each conversation writer: the slope of persuasion on the number of participant
turns, and on the words of the model's replies (per 100 words), with claim fixed effects and
the same clustered SEs:

    persuasion ~ turns + C(claim)        persuasion ~ model_words / 100 + C(claim)

Participants choose how long to converse (between the writer's minimum and maximum turns), so
these slopes describe who talked longer as much as what talking longer does: they are
associations, not effects. `by_turns` gives the mean persuasion at each number of turns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.ancova import ancova_contrasts
from analysis.checks import opinion, require_columns
from analysis.errors import AnalysisError
from analysis.models import Cluster, adjust_p, fit_ols, resolve_cluster

FORMAT_COLUMNS = [
    "model",
    "writer",
    "static_writer",
    "n_conversation",
    "n_static",
    "estimate",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p_val",
    "p_holm",
    "cluster",
]
DOSE_COLUMNS = [
    "writer",
    "measure",
    "n_ratings",
    "low",
    "high",
    "slope",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p_val",
    "note",
]
TURN_COLUMNS = ["writer", "turns", "n_ratings", "mean_persuasion", "ci_low", "ci_high"]
MEASURES = {"turns": ("turns", 1.0), "model_words_100": ("model_words", 100.0)}
NEEDED = ["writer", "writer_kind", "model", "format", "kind", "claim", "persuasion"]


def conversation_pairs(data: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(model, conversation writer, static writer) for every model with both formats."""
    require_columns(data, NEEDED, "conversation_pairs")
    models = opinion(data)
    models = models[models["writer_kind"] == "model"]
    out = []
    for model, group in models.groupby("model", sort=False, observed=True):
        by_format = group.groupby("format", observed=True)["writer"].unique()
        for chat in sorted(by_format.get("conversation", [])):
            out += [(str(model), str(chat), str(s)) for s in sorted(by_format.get("static", []))]
    return out


def format_contrasts(
    data: pd.DataFrame, cluster: Cluster = "auto", confidence: float = 0.95
) -> pd.DataFrame:
    """Conversation vs static of the same model (see the module docstring). Output columns
    `FORMAT_COLUMNS` (`writer`: the conversation writer), one row per pair; empty when no
    model has both formats."""
    rows = []
    for model, chat, static in conversation_pairs(data):
        pair = data[data["writer"].isin([chat, static])]
        fit = ancova_contrasts(pair, static, cluster=cluster, confidence=confidence).iloc[0]
        kept = opinion(pair)
        rows.append(
            {
                "model": model,
                "writer": chat,
                "static_writer": static,
                "n_conversation": int((kept["writer"] == chat).sum()),
                "n_static": int((kept["writer"] == static).sum()),
                **{k: fit[k] for k in ("estimate", "se", "df", "ci_low", "ci_high", "p_val")},
                "p_holm": np.nan,
                "cluster": fit["cluster"],
            }
        )
    out = pd.DataFrame(rows, columns=FORMAT_COLUMNS)
    if not out.empty:
        out["p_holm"] = adjust_p(out["p_val"], "holm")
    return out


def _conversation_rows(data: pd.DataFrame) -> pd.DataFrame:
    require_columns(data, [*NEEDED, "turns", "model_words"], "conversation estimates")
    rows = opinion(data)
    return rows[(rows["format"] == "conversation") & rows["turns"].notna()]


def dose_response(
    data: pd.DataFrame, cluster: Cluster = "auto", confidence: float = 0.95
) -> pd.DataFrame:
    """Per conversation writer, the slope of persuasion on turns and on reply words (per 100);
    `low`, `high`: the range of the measure. A slope the data cannot give (every conversation
    as long as the others) is NaN with a `note`. Output columns `DOSE_COLUMNS`."""
    chats = _conversation_rows(data)
    rows = []
    for writer, group in chats.groupby("writer", sort=False, observed=True):
        for measure, (column, per) in MEASURES.items():
            x = group[column].astype(float).to_numpy() / per
            row: dict[str, object] = {
                "writer": writer,
                "measure": measure,
                "n_ratings": len(group),
                "low": float(x.min()),
                "high": float(x.max()),
                "note": "",
            }
            rows.append(row | _slope(group, x, measure, cluster, confidence))
    return pd.DataFrame(rows, columns=DOSE_COLUMNS)


def _slope(
    group: pd.DataFrame, x: np.ndarray, measure: str, cluster: Cluster, confidence: float
) -> dict[str, object]:
    blank: dict[str, object] = dict.fromkeys(("slope", "se", "df", "ci_low", "ci_high", "p_val"))
    if np.unique(x).size < 2:
        return blank | {"note": f"every conversation has the same {measure}: no slope"}
    try:
        fit = fit_ols(
            group["persuasion"].to_numpy(float),
            {measure: x},
            [],
            group,
            resolve_cluster(group, cluster),
            confidence,
            absorb="claim",
        )
    except AnalysisError as exc:
        return blank | {"note": str(exc)}
    row = fit.table.loc[measure]
    return {"slope": row["estimate"], **{k: row[k] for k in ("se", "df", "ci_low", "ci_high")}} | {
        "p_val": row["p_val"]
    }


def by_turns(data: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean persuasion of each conversation writer at each number of turns, with t-intervals
    over ratings (not clustered: a description). Output columns `TURN_COLUMNS`."""
    chats = _conversation_rows(data)
    rows = []
    for (writer, turns), group in chats.groupby(["writer", "turns"], sort=True, observed=True):
        values = group["persuasion"].astype(float)
        n, mean = len(values), float(values.mean())
        half = (
            float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
            if n > 1
            else np.nan
        )
        rows.append(
            {
                "writer": writer,
                "turns": int(turns),
                "n_ratings": n,
                "mean_persuasion": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    return pd.DataFrame(rows, columns=TURN_COLUMNS)


def conversation_sections(
    data: pd.DataFrame, confidence: float, notes: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The report's conversation tables (`format_contrasts`, `dose`, `by_turns`; empty for a
    study without a conversation arm); a table the data cannot give is empty with its reason
    in `notes`."""
    chats = "format" in data.columns and bool((data["format"] == "conversation").any())
    out = {"format_contrasts": pd.DataFrame(), "dose": pd.DataFrame(), "by_turns": pd.DataFrame()}
    if not chats:
        return out
    makers = {
        "format_contrasts": lambda: format_contrasts(data, confidence=confidence),
        "dose": lambda: dose_response(data, confidence=confidence),
        "by_turns": lambda: by_turns(data, confidence),
    }
    for name, make in makers.items():
        try:
            out[name] = make()
        except ValueError as exc:
            notes[name] = str(exc)
    if out["dose"].empty and "dose" not in notes:
        notes["dose"] = (
            "no conversation has its turns recorded (the inline simulated panel converses "
            "without transcripts), so persuasion by turns and by words is not estimated"
        )
    if out["format_contrasts"].empty and "format_contrasts" not in notes:
        notes["format_contrasts"] = (
            "no model has both a static and a conversation writer, so the format itself is not "
            "compared"
        )
    return out
