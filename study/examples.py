"""The commented example study that `persuasion init` writes and `persuasion demo` runs."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from common import FileInTheWay, UsageError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


TEMPLATES = {"example": "example.toml", "conversation": "conversation.toml"}


def example_study_text(name: str, template: str = "example") -> str:
    if template not in TEMPLATES:
        raise UsageError(
            f"unknown template {template!r}; choose one of: {', '.join(sorted(TEMPLATES))}"
        )
    if not NAME_PATTERN.match(name):
        raise UsageError(
            f"study name {name!r} is not allowed; use 1-64 letters, digits, "
            "'-', '_' or '.', starting with a letter or digit"
        )
    text = (resources.files("study") / "data" / TEMPLATES[template]).read_text(encoding="utf-8")
    return text.replace('name = "NAME"', f'name = "{name}"', 1)


def write_example(
    name: str, folder: Path, *, overwrite: bool = False, template: str = "example"
) -> Path:
    text = example_study_text(name, template)
    path = folder / f"{name}.toml"
    if path.exists() and not overwrite:
        raise FileInTheWay(f"{path} already exists; choose another name or pass --force")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
