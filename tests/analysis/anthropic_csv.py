"""A small synthetic file in the published Anthropic format, for tests that must always run
(the committed tests/analysis/data/anthropic_format_synthetic.csv is `anthropic_rows()`)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from study.importers.anthropic_format import COLUMNS, MODELS, RATING_LABELS

LABELS = {v: k for k, v in RATING_LABELS.items()}
PROMPTS = ("Compelling Case", "Expert Writer Rhetorics", "Logical Reasoning", "Deceptive")
CLAIMS = (
    "Drones should be allowed to deliver parcels",
    "Drones should not be allowed to deliver parcels",
    "Libraries should lend tools",
)
FACTS = ("Water boils at a lower temperature at high altitude",)


def anthropic_rows(seed: int = 0) -> list[dict[str, str]]:
    """Rows in the dataset's format: every model x prompt x claim with 3 raters, 3 human
    arguments per claim with 3 raters each, and 3 control rows per fact."""
    rng = np.random.default_rng(seed)
    rows = []

    def add(claim: str, argument: str, source: str, prompt: str, start: int, move: int) -> None:
        after = int(np.clip(start + move, 1, 7))
        rows.append(
            {
                "worker_id": f"W{len(rows):05d}",
                "claim": claim,
                "argument": argument,
                "source": source,
                "prompt_type": prompt,
                "rating_initial": LABELS[start],
                "rating_final": LABELS[after],
                "persuasiveness_metric": str(after - start),
            }
        )

    for claim in CLAIMS:
        for model in MODELS:
            for prompt in PROMPTS:
                text = f"{model.source} on {claim} ({prompt}).\nSecond line, with a, comma."
                for _ in range(3):
                    add(
                        claim,
                        text,
                        model.source,
                        prompt,
                        int(rng.integers(2, 6)),
                        int(rng.integers(0, 3)),
                    )
        for k in range(3):
            for _ in range(3):
                add(
                    claim,
                    f"Human argument {k} on {claim}",
                    "Human",
                    "N/A",
                    int(rng.integers(2, 6)),
                    int(rng.integers(0, 3)),
                )
    for fact in FACTS:
        for _ in range(3):
            add(
                fact,
                f"An argument against: {fact}",
                "Control",
                "Control Prompt",
                6,
                -int(rng.integers(0, 2)),
            )
    return rows


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()) if rows else COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
