"""The commented example study that `persuasion init` writes and `persuasion demo` runs."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from common import FileInTheWay, UsageError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def example_study_text(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise UsageError(
            f"study name {name!r} is not allowed; use 1-64 letters, digits, "
            "'-', '_' or '.', starting with a letter or digit"
        )
    text = (resources.files("study") / "data" / "example.toml").read_text(encoding="utf-8")
    return text.replace('name = "NAME"', f'name = "{name}"', 1)


def write_example(name: str, folder: Path, *, overwrite: bool = False) -> Path:
    path = folder / f"{name}.toml"
    if path.exists() and not overwrite:
        raise FileInTheWay(f"{path} already exists; choose another name or pass --force")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(example_study_text(name), encoding="utf-8")
    return path
