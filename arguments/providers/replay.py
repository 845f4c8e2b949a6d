"""The `replay` provider: published arguments from a CSV or JSONL file, for models that can no
longer be called. Rows have `claim, writer, strategy, text` (and optionally `replicate`);
`claim` is the claim id of the study's claim set, `writer` the study's writer id."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from arguments.errors import GenerationError
from arguments.types import Completion, GenerationRequest, ProviderConfig, ProviderError

REQUIRED = ("claim", "writer", "strategy", "text")
Key = tuple[str, str, str, int]


@cache
def read_replay(path: str) -> dict[Key, str]:
    """The texts of a replay file by (claim, writer, strategy, replicate)."""
    file = Path(path)
    if not file.is_file():
        raise GenerationError(
            f"replay file {path!r} does not exist; check the writer's replay_file"
        )
    rows: list[dict[str, str]]
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    elif file.suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        raise GenerationError(f"replay file {path!r}: use a .csv or .jsonl file")
    out: dict[Key, str] = {}
    for number, row in enumerate(rows, start=2 if file.suffix == ".csv" else 1):
        missing = [c for c in REQUIRED if not str(row.get(c) or "").strip()]
        if missing:
            raise GenerationError(
                f"{path}:{number}: missing {', '.join(missing)}; every row needs "
                f"{', '.join(REQUIRED)}"
            )
        key = (row["claim"], row["writer"], row["strategy"], int(row.get("replicate") or 0))
        out[key] = str(row["text"]).strip()
    return out


class ReplayProvider:
    """Serves stored texts; a request without a row fails without retry."""

    name = "replay"

    def __init__(self, model: str, config: ProviderConfig | None = None) -> None:
        config = config or ProviderConfig()
        if not config.replay_file:
            raise GenerationError(
                f'model "replay/{model}" needs replay_file = "FILE.csv" on its writer'
            )
        self.model = model
        self.texts = read_replay(config.replay_file)

    async def generate(self, request: GenerationRequest) -> Completion:
        p = request.params
        key = (str(p["claim_key"]), str(p["writer"]), str(p["strategy"]), int(p["replicate"]))
        if key not in self.texts:
            raise ProviderError(
                f"no replay row for claim, writer, strategy {key[:3]}", retryable=False
            )
        text = self.texts[key]
        return Completion(text, "replay", 0, len(text.split()))

    async def count_tokens(self, request: GenerationRequest) -> int:
        return 0

    async def aclose(self) -> None:
        return None
