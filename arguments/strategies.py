"""Prompting strategies as data: named templates with fields such as {claim} and {words_min}.

The bundled strategies live in arguments/data/strategies.yaml; a study adds its own under
[[strategies]] (same name: the study's wins). Every strategy's hash (system and template
text) is stored with each argument it produced."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from arguments.errors import GenerationError
from study import Study

FIELDS = frozenset({"claim", "words_min", "words_max", "topic"})


@dataclass(frozen=True)
class Strategy:
    name: str
    system: str
    template: str
    description: str = ""
    invents_facts: bool = False  # the template allows inventing facts (said in the debrief)

    @property
    def prompt_hash(self) -> str:
        return hashlib.sha256(f"{self.system}\n---\n{self.template}".encode()).hexdigest()

    def render(self, **values: str | int) -> str:
        return self.template.format(**values)


def template_fields(template: str) -> set[str]:
    """The named fields of a template; raises ValueError on a malformed one."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@cache
def _bundled() -> tuple[str, tuple[Strategy, ...]]:
    text = (resources.files("arguments") / "data" / "strategies.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    system = data["system"]
    return system, tuple(
        Strategy(
            name, system, s["template"], s.get("description", ""), bool(s.get("invents_facts"))
        )
        for name, s in data["strategies"].items()
    )


def bundled_strategies() -> dict[str, Strategy]:
    return {s.name: s for s in _bundled()[1]}


def check_template(name: str, template: str) -> None:
    """Raise GenerationError naming an unknown or malformed field of a template."""
    allowed = ", ".join(sorted(FIELDS))
    try:
        fields = template_fields(template)
    except ValueError as exc:
        raise GenerationError(
            f"strategy {name!r}: malformed template ({exc}); write fields as {{claim}} and "
            "double literal braces as {{ }}"
        ) from None
    unknown = sorted(fields - FIELDS)
    if unknown:
        raise GenerationError(
            f"strategy {name!r}: unknown field {{{unknown[0]}}} in its template; allowed "
            f"fields: {allowed}"
        )


def strategies_for(study: Study) -> dict[str, Strategy]:
    """Bundled strategies with the study's own added; every template and every strategy a
    writer names is checked."""
    out = bundled_strategies()
    system = _bundled()[0]
    for custom in study.strategies:
        check_template(custom.name, custom.template)
        out[custom.name] = Strategy(
            custom.name,
            custom.system or system,
            custom.template,
            custom.description,
            custom.invents_facts,
        )
    names = [w.strategies for w in study.writers] + [(study.control.strategy,)]
    for name in (n for group in names for n in group):
        if name not in out:
            raise GenerationError(
                f"unknown strategy {name!r}; known strategies: {', '.join(sorted(out))}; or "
                "add it under [[strategies]] in the study file"
            )
    return out


def get_strategy(name: str) -> Strategy:
    """A bundled strategy by name."""
    known = bundled_strategies()
    if name not in known:
        raise GenerationError(
            f"unknown strategy {name!r}; known strategies: {', '.join(sorted(known))}"
        )
    return known[name]
