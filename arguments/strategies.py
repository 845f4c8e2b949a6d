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
CONVERSATION_FIELDS = frozenset({"claim", "topic"})


@dataclass(frozen=True)
class Strategy:
    name: str
    system: str
    template: str
    description: str = ""
    format: str = "static"  # "conversation": a system prompt for a multi-turn conversation
    invents_facts: bool = False  # the template allows inventing facts (said in the debrief)

    @property
    def prompt_hash(self) -> str:
        return hashlib.sha256(f"{self.system}\n---\n{self.template}".encode()).hexdigest()

    def render(self, **values: str | int) -> str:
        return self.template.format(**values)

    def conversation_system(self, claim: str, topic: str) -> str:
        """The system prompt of a conversation strategy for one claim."""
        return f"{self.system}\n\n{self.template.format(claim=claim, topic=topic)}"


def template_fields(template: str) -> set[str]:
    """The named fields of a template; raises ValueError on a malformed one."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@cache
def _bundled() -> tuple[str, tuple[Strategy, ...]]:
    text = (resources.files("arguments") / "data" / "strategies.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    system, chat = data["system"], data["conversation_system"]
    static = tuple(
        Strategy(
            name,
            system,
            s["template"],
            s.get("description", ""),
            invents_facts=bool(s.get("invents_facts")),
        )
        for name, s in data["strategies"].items()
    )
    talk = tuple(
        Strategy(
            name,
            chat,
            s["template"],
            s.get("description", ""),
            "conversation",
            bool(s.get("invents_facts")),
        )
        for name, s in data["conversation_strategies"].items()
    )
    return system, static + talk


def bundled_strategies() -> dict[str, Strategy]:
    return {s.name: s for s in _bundled()[1]}


def check_template(name: str, template: str, fields: frozenset[str] = FIELDS) -> None:
    """Raise GenerationError naming an unknown or malformed field of a template."""
    allowed = ", ".join(sorted(fields))
    try:
        found = template_fields(template)
    except ValueError as exc:
        raise GenerationError(
            f"strategy {name!r}: malformed template ({exc}); write fields as {{claim}} and "
            "double literal braces as {{ }}"
        ) from None
    unknown = sorted(found - fields)
    if unknown:
        raise GenerationError(
            f"strategy {name!r}: unknown field {{{unknown[0]}}} in its template; allowed "
            f"fields: {allowed}"
        )


def strategies_for(study: Study) -> dict[str, Strategy]:
    """Bundled strategies with the study's own added; every template and every strategy a
    writer names is checked."""
    out = bundled_strategies()
    for custom in study.strategies:
        talk = custom.format == "conversation"
        check_template(custom.name, custom.template, CONVERSATION_FIELDS if talk else FIELDS)
        system = _bundled()[0] if not talk else out["chat_persuade"].system
        out[custom.name] = Strategy(
            custom.name,
            custom.system or system,
            custom.template,
            custom.description,
            custom.format,
            custom.invents_facts,
        )
    uses = [(w.format, w.id, w.strategies) for w in study.writers]
    uses.append(("static", "control", (study.control.strategy,)))
    for fmt, writer, names in uses:
        for name in names:
            _check_use(out, name, fmt, writer)
    return out


def _check_use(known: dict[str, Strategy], name: str, fmt: str, writer: str) -> None:
    """A strategy a writer names exists and is of the writer's format."""
    fitting = sorted(n for n, s in known.items() if s.format == fmt)
    if name not in known:
        raise GenerationError(
            f"unknown strategy {name!r}; known strategies: {', '.join(fitting)}; or "
            "add it under [[strategies]] in the study file"
        )
    if known[name].format != fmt:
        raise GenerationError(
            f"writer {writer!r} ({fmt}) names the {known[name].format} strategy {name!r}; "
            f"{fmt} strategies: {', '.join(n for n in fitting if n != 'control')}"
        )


def get_strategy(name: str) -> Strategy:
    """A bundled strategy by name."""
    known = bundled_strategies()
    if name not in known:
        raise GenerationError(
            f"unknown strategy {name!r}; known strategies: {', '.join(sorted(known))}"
        )
    return known[name]
