"""A small simulated study (6 topics, 2 control claims) for the flow tests."""

from __future__ import annotations

from pathlib import Path

TOPICS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


def claims_yaml() -> str:
    lines = ["name: small", "version: 1", "claims:"]
    for topic in TOPICS:
        for stance, verb in (("support", "should"), ("oppose", "should not")):
            lines += [
                f"  - id: {topic}-{stance}",
                f"    topic: {topic}",
                f"    stance: {stance}",
                "    kind: opinion",
                f'    text: "Cities {verb} adopt the {topic} plan."',
            ]
    for i, fact in enumerate(("Water boils at 100 C at sea level.", "Paris is in France.")):
        lines += [
            f"  - id: fact-{i}",
            f"    topic: fact-{i}",
            "    stance: fact",
            "    kind: control",
            f'    text: "{fact}"',
        ]
    return "\n".join(lines) + "\n"


MODEL = """
[[writers]]
id = "{id}"
kind = "model"
model = "offline/{id}"
generation = "{id}"
class = "compact"
order = {order}
strategies = ["compelling_case"]
true_effect = 0.3
"""


def study_toml(name: str, models: int = 2, schedules: str = "") -> str:
    writers = "".join(MODEL.format(id=f"gen-{i + 1}", order=i + 1) for i in range(models))
    return f"""
[study]
name = "{name}"
claims = "small.yaml"

{writers}
[[writers]]
id = "human"
kind = "human"
per_claim = 1
true_effect = 0.3

[control]
writer = "gen-1"

[participants]
per_argument = 2
items_per_participant = 3

[analysis]
bootstrap_resamples = 200
{schedules}
"""


def write_study(folder: Path, name: str = "small", models: int = 2, schedules: str = "") -> Path:
    """Write small.yaml and NAME.toml into folder; returns the study file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.yaml").write_text(claims_yaml())
    path = folder / f"{name}.toml"
    path.write_text(study_toml(name, models, schedules))
    return path
