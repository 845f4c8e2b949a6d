"""Model providers, chosen by a `provider/model` string and imported only when chosen."""

from __future__ import annotations

from importlib import import_module

from arguments.errors import GenerationError
from arguments.types import ModelProvider, ProviderConfig

PROVIDERS: dict[str, str] = {
    "offline": "arguments.providers.offline:OfflineProvider",
    "anthropic": "arguments.providers.anthropic:AnthropicProvider",
    "replay": "arguments.providers.replay:ReplayProvider",
}


def split_model(spec: str) -> tuple[str, str]:
    """Split `provider/model` into its two parts, with an error that lists the providers."""
    provider, sep, model = spec.partition("/")
    if not sep or not model or provider not in PROVIDERS:
        raise GenerationError(
            f"unknown model {spec!r}; write it as provider/model with provider one "
            f"of: {', '.join(sorted(PROVIDERS))}"
        )
    return provider, model


def get_provider(spec: str, config: ProviderConfig | None = None) -> ModelProvider:
    """The provider object for a `provider/model` string."""
    provider, model = split_model(spec)
    module_name, _, cls_name = PROVIDERS[provider].partition(":")
    cls = getattr(import_module(module_name), cls_name)
    instance: ModelProvider = cls(model, config or ProviderConfig())
    return instance
