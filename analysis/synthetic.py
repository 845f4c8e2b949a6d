"""Synthetic tidy ratings tables with known effects, for tests, benchmarks and power checks.

The response model is the simulated panel's (surveys/simulated.py), vectorised: claim prior
mean mu ~ N(4, claim_sd) clipped to [2, 6], latent support ~ N(mu, before_sd), argument quality
~ N(0, argument_sd), noise ~ N(0, noise_sd); before = clip(round(latent)), after =
clip(round(latent + direction * (effect + quality + noise))).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.checks import SCALE_MAX, SCALE_MIN
from analysis.tidy import COLUMNS

STRATEGIES = ("compelling_case", "expert_rhetorics", "logical_reasoning", "deceptive")


@dataclass(frozen=True)
class SyntheticWriter:
    id: str
    kind: str  # model | human | control
    effect: float
    model_class: str = ""
    order: int = 0
    arguments_per_claim: int = 1
    format: str = "static"  # static | conversation
    model: str = ""  # the model id (default synthetic/ID): a model's two formats share it


DEFAULT_WRITERS = (
    SyntheticWriter("compact-1", "model", 0.15, "compact", 1, 4),
    SyntheticWriter("compact-2", "model", 0.30, "compact", 2, 4),
    SyntheticWriter("frontier-1", "model", 0.25, "frontier", 1, 4),
    SyntheticWriter("frontier-2", "model", 0.35, "frontier", 2, 4),
    SyntheticWriter("frontier-3", "model", 0.45, "frontier", 3, 4),
    SyntheticWriter("human", "human", 0.40, "", 0, 3),
    SyntheticWriter("control", "control", 0.0, "", 0, 1),
)


def synthetic_ratings(
    n_claims: int = 20,
    raters: int = 3,
    writers: tuple[SyntheticWriter, ...] = DEFAULT_WRITERS,
    items_per_participant: int = 1,
    sd: Mapping[str, float] | None = None,
    seed: int = 0,
    turn_gain: float = 0.25,
) -> pd.DataFrame:
    """A tidy ratings table (columns `analysis.COLUMNS`, nothing excluded): each writer writes
    `arguments_per_claim` arguments for each of `n_claims` opinion claims (control writers:
    for `n_claims // 4 + 2` control claims, direction -1), each read by `raters` participants;
    participants rate `items_per_participant` items each (consecutive ratings).

    A conversation writer's item lasts `turns` ~ uniform on 1..6 participant turns, with
    `model_words` ~ turns x Normal(90, 15) words of replies, and its effect grows with turns
    as the simulated panel's: effect x (1 + turn_gain x (turns - 1))."""
    s = {"before": 1.1, "claim": 0.6, "noise": 0.8, "argument": 0.1} | dict(sd or {})
    rng = np.random.default_rng(seed)
    parts = []
    arg_id = 0
    for w in writers:
        control = w.kind == "control"
        claims = (
            [f"f{i}" for i in range(n_claims // 4 + 2)]
            if control
            else [f"c{i}" for i in range(n_claims)]
        )
        n_args = len(claims) * w.arguments_per_claim
        claim_of_arg = np.repeat(claims, w.arguments_per_claim)
        strategy = (
            np.tile(STRATEGIES, n_args)[:n_args] if w.kind == "model" else np.full(n_args, "")
        )
        frame = pd.DataFrame(
            {
                "claim": np.repeat(claim_of_arg, raters),
                "argument": np.repeat(np.arange(arg_id, arg_id + n_args), raters),
                "strategy": np.repeat(strategy, raters),
                "quality": np.repeat(rng.normal(0, s["argument"], n_args), raters),
            }
        )
        arg_id += n_args
        frame["writer"] = "control" if control else w.id
        frame["writer_kind"] = w.kind
        frame["model"] = (w.model or f"synthetic/{w.id}") if w.kind == "model" else ""
        frame["generation"] = w.id if w.kind == "model" else ""
        frame["model_class"] = w.model_class
        frame["generation_order"] = w.order
        frame["kind"] = "control" if control else "opinion"
        frame["direction"] = -1 if control else 1
        frame["effect"] = w.effect
        frame["format"] = w.format
        if w.format == "conversation":
            _converse(frame, rng, turn_gain)
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True)
    return _respond(data, rng, s, items_per_participant)


def _converse(frame: pd.DataFrame, rng: np.random.Generator, turn_gain: float) -> None:
    """Turns, words of replies and the turn-dependent effect of conversation items."""
    turns = rng.integers(1, 7, len(frame))
    frame["turns"] = turns
    frame["model_words"] = np.round(turns * rng.normal(90, 15, len(frame))).astype(int)
    frame["effect"] = frame["effect"] * (1 + turn_gain * (turns - 1))


def _respond(
    data: pd.DataFrame, rng: np.random.Generator, s: dict[str, float], items: int
) -> pd.DataFrame:
    claims = data["claim"].unique()
    mu = dict(zip(claims, np.clip(rng.normal(4, s["claim"], len(claims)), 2, 6), strict=True))
    mean = data["claim"].map(mu).to_numpy(float)
    # Control claims state facts: participants start near the top of the scale.
    mean = np.where(data["kind"] == "control", 6.0, mean)
    latent = rng.normal(mean, s["before"])
    shift = data["effect"] + data["quality"] + rng.normal(0, s["noise"], len(data))
    direction = data["direction"].to_numpy()
    before = np.clip(np.round(latent), SCALE_MIN, SCALE_MAX).astype(int)
    after = np.clip(np.round(latent + direction * shift), SCALE_MIN, SCALE_MAX).astype(int)
    order = rng.permutation(len(data))
    participant = np.empty(len(data), int)
    participant[order] = np.arange(len(data)) // items
    topic = data["claim"].astype(str)
    return pd.DataFrame(
        {
            "study": "synthetic",
            "wave": 1,
            "participant": participant,
            "claim": data["claim"],
            "topic": topic,
            "stance": np.where(data["kind"] == "control", "fact", "support"),
            "kind": data["kind"],
            "argument": data["argument"],
            "writer": data["writer"],
            "writer_kind": data["writer_kind"],
            "model": data["model"],
            "generation": data["generation"],
            "model_class": data["model_class"],
            "generation_order": data["generation_order"],
            "strategy": data["strategy"],
            "before": before,
            "after": after,
            "direction": direction,
            "persuasion": direction * (after - before),
            "reading_ms": 60_000,
            "failed_checks": 0,
            "exclusion": "",
            "session": participant,
            "position": pd.Series(participant).groupby(participant).cumcount().to_numpy(),
            "min_reading_ms": 0,
            "focus_losses": 0,
            "pastes": 0,
            "session_status": "completed",
            "format": data["format"],
            "turns": _optional(data, "turns"),
            "model_words": _optional(data, "model_words"),
        }
    )[COLUMNS]


def _optional(data: pd.DataFrame, column: str) -> pd.Series:
    """A conversation column (missing for static items), as the ratings table has it."""
    values = data[column] if column in data.columns else pd.Series(pd.NA, index=data.index)
    return values.astype("Int64")
