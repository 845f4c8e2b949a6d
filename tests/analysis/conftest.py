"""Fixtures of the analysis tests: a small synthetic CSV in the published Anthropic format
(always available) and the real sample (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PATH = Path("shared") / "datasets" / "anthropic_persuasion_sample.csv"
# beside the checkout (../shared), or beside a folder of worktrees (../../shared)
SAMPLE = next(
    (p / SAMPLE_PATH for p in REPO.parents[:2] if (p / SAMPLE_PATH).is_file()),
    REPO.parent / SAMPLE_PATH,
)
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
