"""Fixtures for argument generation: the Anthropic stand-in, small claim sets and studies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from claims import load_claim_set
from tests.support.anthropic_standin import Behaviour, StandIn

MODELS = ("anthropic/claude-haiku-5-5", "anthropic/claude-sonnet-5-5")
STRATEGIES = '["compelling_case", "expert_rhetorics", "logical_reasoning", "deceptive"]'


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """A stand-in Anthropic API; the SDK finds it through ANTHROPIC_BASE_URL."""
    with StandIn(Behaviour(latency=0.002)) as api:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        yield api


def write_claims(folder: Path, topics: int) -> Path:
    """The first `topics` topics of the bundled set (support and oppose), no control claims."""
    bundled = load_claim_set("default")
    keep = list(dict.fromkeys(c.topic for c in bundled.opinion))[:topics]
    claims = [
        {"id": c.id, "topic": c.topic, "stance": c.stance, "kind": c.kind, "text": c.text}
        for c in bundled.opinion
        if c.topic in keep
    ]
    path = folder / f"claims{topics}.yaml"
    path.write_text(yaml.safe_dump({"name": f"first-{topics}", "version": 1, "claims": claims}))
    return path


def study_text(
    claims: Path,
    *,
    name: str = "gen",
    models: tuple[str, ...] = MODELS,
    strategies: str = STRATEGIES,
    extra: str = "",
) -> str:
    writers = "".join(
        f'[[writers]]\nid = "w{i}"\nkind = "model"\nmodel = "{m}"\nstrategies = {strategies}\n\n'
        for i, m in enumerate(models)
    )
    return (
        f'[study]\nname = "{name}"\nclaims = "{claims}"\n\n{writers}'
        '[analysis]\nreference = "w0"\n\n[recruitment]\nplatform = "link"\nsurvey_url = "https://survey.example.org/s"\n\n'
        "[generation]\nmax_in_flight = 8\nrequests_per_minute = 600000\n"
        "retry_base_seconds = 0.005\nretry_max_seconds = 0.05\n\n"
        f"{extra}"
    )


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Path]:
    """Write a study file: make_study(topics=2, **study_text options) -> path."""

    def make(topics: int = 2, **options: object) -> Path:
        claims = write_claims(tmp_path, topics)
        path = tmp_path / f"{options.get('name', 'gen')}.toml"
        path.write_text(study_text(claims, **options))  # type: ignore[arg-type]
        return path

    return make
