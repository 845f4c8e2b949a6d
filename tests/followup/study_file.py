"""A simulated study with a follow-up wave, for the follow-up tests."""

from __future__ import annotations

from pathlib import Path

SHARE = 0.4  # the response model's share of the effect left at the follow-up
RESPONSE = 0.75  # the share of participants who answer the follow-up


def follow_up_toml(name: str, per_argument: int = 10, extra: str = "") -> str:
    return f"""
[study]
name = "{name}"
claims = "default"
seed = 11

[[writers]]
id = "model-a"
kind = "model"
model = "offline/model-a"
generation = "Model A"
class = "compact"
order = 1
strategies = ["compelling_case"]
true_effect = 0.7

[[writers]]
id = "human"
kind = "human"
per_claim = 1
true_effect = 0.5

[participants]
per_argument = {per_argument}
control_rate = 0.0

[simulation]
follow_up_share = {SHARE}
follow_up_response = {RESPONSE}

[follow_up]
after_days = 30
open_days = 7
{extra}
"""


def write_follow_up_study(folder: Path, name: str = "durable", **kwargs: object) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(follow_up_toml(name, **kwargs))  # type: ignore[arg-type]
    return path
