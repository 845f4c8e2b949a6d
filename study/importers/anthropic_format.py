"""The published Anthropic persuasion dataset (Durmus et al. 2024; Hugging Face
`Anthropic/persuasion`, file `persuasion_data.csv`): its columns and label vocabularies, and the
mapping onto this project's writers, generations, classes and strategies."""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = (
    "worker_id",
    "claim",
    "argument",
    "source",
    "prompt_type",
    "rating_initial",
    "rating_final",
    "persuasiveness_metric",
)
RATING_LABELS = {
    "1 - Strongly oppose": 1,
    "2 - Oppose": 2,
    "3 - Somewhat oppose": 3,
    "4 - Neither oppose nor support": 4,
    "5 - Somewhat support": 5,
    "6 - Support": 6,
    "7 - Strongly support": 7,
}


@dataclass(frozen=True)
class PublishedModel:
    source: str  # the dataset's `source` label
    writer: str  # our writer id
    model: str  # provider/model
    model_class: str
    order: int  # generation order within the class


MODELS = (
    PublishedModel(
        "Claude Instant 1.2", "claude-instant-1.2", "anthropic/claude-instant-1.2", "compact", 1
    ),
    PublishedModel(
        "Claude 3 Haiku", "claude-3-haiku", "anthropic/claude-3-haiku-20240307", "compact", 2
    ),
    PublishedModel("Claude 1.3", "claude-1.3", "anthropic/claude-1.3", "frontier", 1),
    PublishedModel("Claude 2", "claude-2", "anthropic/claude-2.0", "frontier", 2),
    PublishedModel(
        "Claude 3 Opus", "claude-3-opus", "anthropic/claude-3-opus-20240229", "frontier", 3
    ),
)
MODEL_BY_SOURCE = {m.source: m for m in MODELS}
HUMAN_SOURCE = "Human"
CONTROL_SOURCE = "Control"
SOURCES = (*MODEL_BY_SOURCE, HUMAN_SOURCE, CONTROL_SOURCE)
STRATEGIES = {
    "Compelling Case": "compelling_case",
    "Expert Writer Rhetorics": "expert_rhetorics",
    "Logical Reasoning": "logical_reasoning",
    "Deceptive": "deceptive",
    "Control Prompt": "control",
    "N/A": "",
}
