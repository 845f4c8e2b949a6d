"""What a provider receives and returns: one narrow interface for every model service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class GenerationRequest:
    """One request to a model: system and user text, a token bound, and extra parameters."""

    key: str
    model: str
    system: str
    user: str
    max_tokens: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Completion:
    """A model's answer: text, why it stopped, and token usage."""

    text: str
    stop_reason: str
    input_tokens: int
    output_tokens: int
    placeholder: bool = False


class ModelProvider(Protocol):
    """A model service. `generate` sends one request and returns one completion."""

    name: str

    def generate(self, request: GenerationRequest) -> Completion: ...
