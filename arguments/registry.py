"""The model registry as data: bundled models (arguments/data/models.yaml) plus a study's own
[[models]] entries. Each model has a provider, id, generation label, class, order within the
class, and prices per million tokens."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from arguments.errors import GenerationError
from study import Study, Writer

FREE_PROVIDERS = frozenset({"offline", "replay"})
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True)
class ModelInfo:
    """One model: `id` is `provider/model`."""

    id: str
    generation: str
    model_class: str
    order: int
    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0
    retired: bool = False

    @property
    def provider(self) -> str:
        return self.id.partition("/")[0]

    def cost(self, input_tokens: int, output_tokens: int, *, batch: bool = False) -> float:
        """US dollars for a request's usage (the Batches API costs half)."""
        usd = (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6
        return usd * (BATCH_DISCOUNT if batch else 1.0)


@cache
def bundled_models() -> tuple[ModelInfo, ...]:
    text = (resources.files("arguments") / "data" / "models.yaml").read_text(encoding="utf-8")
    return tuple(
        ModelInfo(
            id=m["id"],
            generation=m["generation"],
            model_class=m["class"],
            order=int(m.get("order", 0)),
            input_per_mtok=float(m.get("input_per_mtok", 0.0)),
            output_per_mtok=float(m.get("output_per_mtok", 0.0)),
            retired=bool(m.get("retired", False)),
        )
        for m in yaml.safe_load(text)["models"]
    )


def registry(study: Study | None = None) -> dict[str, ModelInfo]:
    """Bundled models, with the study's own [[models]] added (same id: the study's wins)."""
    models = {m.id: m for m in bundled_models()}
    for entry in study.models if study else ():
        models[entry.id] = ModelInfo(
            entry.id,
            entry.generation,
            entry.model_class,
            entry.order,
            entry.input_per_mtok,
            entry.output_per_mtok,
            entry.retired,
        )
    return models


def model_for(study: Study, writer: Writer) -> ModelInfo:
    """The registry entry of a model writer; labels set on the writer take precedence.

    Offline and replay models need no entry (they cost nothing); a replay writer takes the
    labels of the retired model it replays when the registry knows it.
    """
    known = registry(study)
    provider, _, name = writer.model.partition("/")
    if provider == "replay":
        base = known.get(f"anthropic/{name}") or ModelInfo(writer.model, name, "", 0)
        info = ModelInfo(writer.model, base.generation, base.model_class, base.order)
    elif provider in FREE_PROVIDERS:
        info = ModelInfo(writer.model, writer.generation or name, writer.model_class, writer.order)
    elif writer.model in known:
        info = known[writer.model]
    else:
        current = sorted(m.id for m in known.values() if m.provider == provider and not m.retired)
        raise GenerationError(
            f"unknown model {writer.model!r} (writer {writer.id!r}); known {provider} models: "
            f"{', '.join(current) or '(none)'}; or add it under [[models]] in the study file"
        )
    if info.retired:
        raise GenerationError(
            f"model {writer.model!r} (writer {writer.id!r}) is retired and cannot be called; "
            f'replay its published arguments with model = "replay/{name}" and replay_file = '
            '"FILE.csv"'
        )
    return ModelInfo(
        info.id,
        writer.generation or info.generation,
        writer.model_class or info.model_class,
        writer.order or info.order,
        info.input_per_mtok,
        info.output_per_mtok,
        info.retired,
    )
