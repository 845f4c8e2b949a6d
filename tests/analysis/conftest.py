"""Fixtures of the analysis tests: a small synthetic CSV in the published Anthropic format
(always available) and the real sample (skipped with a reason when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis.importers.anthropic_format import COLUMNS, MODELS, RATING_LABELS

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO.parent / "shared" / "datasets" / "anthropic_persuasion_sample.csv"
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


SYNTHETIC = Path(__file__).parent / "data" / "anthropic_format_synthetic.csv"


@pytest.fixture
def synthetic_csv() -> Path:
    """A small synthetic file in the published format (committed; `anthropic_rows()` makes it:
    3 opinion claims, 5 models x 4 prompts x 3 raters, 3 human arguments x 3 raters, 1 fact
    with 3 control rows)."""
    return SYNTHETIC


@pytest.fixture
def sample_csv() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"the published sample is not at {SAMPLE} (see ../shared/datasets/README.md)")
    return SAMPLE
