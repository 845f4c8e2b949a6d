"""Import of the published Anthropic persuasion dataset into the study store.

`parse_anthropic` is a pure converter (CSV rows -> normalised rows, every problem named by row
and column); `import_anthropic` writes a new study with its claims, arguments, participants,
sessions, assignments and ratings through the store's row classes. Rows count data records
from 1 (the header is not counted; arguments span several lines, so file lines would mislead).

Mapping: `source` -> writer (`MODELS`; `Human` -> human, `Control` -> control), generation label,
class (compact: Claude Instant 1.2 -> Claude 3 Haiku; frontier: Claude 1.3 -> Claude 2 ->
Claude 3 Opus) and order; `prompt_type` -> snake_case strategy (`N/A` kept as the human rows'
empty strategy); rating labels -> integers. Opinion arguments argue for the claim shown
(direction +1); control rows rate an indisputable fact after an argument against it
(direction -1), which is checked against the data: participants must start on the fact's side.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from common import MissingFile, PersuasionError
from study.importers.anthropic_format import (
    COLUMNS,
    CONTROL_SOURCE,
    MODEL_BY_SOURCE,
    RATING_LABELS,
    SOURCES,
    STRATEGIES,
)
from study.importers.anthropic_store import DatasetImportSummary, write_study
from study.store import Store

LABEL = re.compile(r"^\s*([1-7])(\s*-.*)?$")
NEGATION = re.compile(r"\b(not|no longer)\s+", re.IGNORECASE)
MAX_PROBLEMS = 20


class AnthropicFormatError(PersuasionError, ValueError):
    """A file that is not in the Anthropic persuasion format; `problems` lists every problem
    found (up to 20), the message names the first."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {problems[0]}{more}")


def read_anthropic_csv(path: str | Path) -> pd.DataFrame:
    """Read the CSV as strings, keeping the literal `N/A` of human rows."""
    path = Path(path)
    if not path.is_file():
        raise MissingFile(
            f"{path}: no such file; give the path of the dataset's persuasion_data.csv"
        )
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise AnthropicFormatError(str(path), [f"not a readable CSV file ({exc})"]) from None


def parse_anthropic(raw: pd.DataFrame, source: str = "<csv>") -> pd.DataFrame:
    """Normalise the dataset's rows (see module doc). Raises AnthropicFormatError naming the
    row and column of every problem. Output columns: worker_id, claim_key, claim_text, topic,
    stance, kind, argument_text, writer, writer_kind, model, generation, model_class,
    generation_order, strategy, before, after, direction."""
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise AnthropicFormatError(
            source,
            [
                f"missing column(s) {', '.join(missing)}; the file has "
                f"{', '.join(map(str, raw.columns)) or '(no columns)'}; "
                f"expected {', '.join(COLUMNS)}"
            ],
        )
    if raw.empty:
        raise AnthropicFormatError(source, ["no data rows after the header"])
    problems: list[str] = []
    rows = [_row(i + 1, rec, problems) for i, rec in enumerate(raw.to_dict("records"))]
    if problems:
        raise AnthropicFormatError(source, problems[:MAX_PROBLEMS])
    out = pd.DataFrame(rows)
    _check_control_direction(out, source)
    return _with_claims(out)


def _row(n: int, rec: dict[str, str], problems: list[str]) -> dict[str, object]:
    def bad(column: str, message: str) -> None:
        problems.append(f"row {n}, column {column!r}: {message}")

    before = _rating(rec["rating_initial"], "rating_initial", bad)
    after = _rating(rec["rating_final"], "rating_final", bad)
    src = rec["source"].strip()
    prompt = rec["prompt_type"].strip()
    if src not in SOURCES:
        bad("source", f"{src!r} is not a known source; allowed: {', '.join(SOURCES)}")
    if prompt not in STRATEGIES:
        bad(
            "prompt_type",
            f"{prompt!r} is not a known prompt type; allowed: {', '.join(STRATEGIES)}",
        )
    elif src in MODEL_BY_SOURCE and prompt in ("N/A", "Control Prompt"):
        bad("prompt_type", f"{prompt!r} on a {src} row; model rows need a prompting strategy")
    metric = rec["persuasiveness_metric"].strip()
    if before and after and metric != str(after - before) and metric != f"{after - before}.0":
        bad(
            "persuasiveness_metric",
            f"{metric!r} is not rating_final - rating_initial ({after} - {before} = "
            f"{after - before}); check the rating columns",
        )
    if not rec["claim"].strip():
        bad("claim", "empty claim text")
    model = MODEL_BY_SOURCE.get(src)
    control = src == CONTROL_SOURCE
    kind = "model" if model else ("control" if control else "human")
    return {
        "worker_id": rec["worker_id"].strip(),
        "claim_text": rec["claim"].strip(),
        "kind": "control" if control else "opinion",
        "argument_text": rec["argument"],
        "writer": model.writer if model else kind,
        "writer_kind": kind,
        "model": model.model if model else "",
        "generation": src if model else "",
        "model_class": model.model_class if model else "",
        "generation_order": model.order if model else 0,
        "strategy": STRATEGIES.get(prompt, "") if model or control else "",
        "before": before,
        "after": after,
        "direction": -1 if control else 1,
    }


def _rating(value: str, column: str, bad: Callable[[str, str], None]) -> int:
    text = value.strip()
    if text in RATING_LABELS:
        return RATING_LABELS[text]
    match = LABEL.match(text)
    if match:
        return int(match.group(1))
    bad(column, f"{value!r} is not a rating; expected a label such as '3 - Somewhat oppose' (1-7)")
    return 0


def _check_control_direction(rows: pd.DataFrame, source: str) -> None:
    control = rows[rows["kind"] == "control"]
    if control.empty:
        return
    start = float(control["before"].mean())
    if start <= 4:
        raise AnthropicFormatError(
            source,
            [
                f"the {len(control)} control rows start at mean support {start:.2f} (4 = neither); "
                "control claims should be facts that participants support, so that the argument "
                "against them has direction -1. Check that these rows are the control arm",
            ],
        )


def _slug(text: str, length: int) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{words[:length].rstrip('-')}-{digest}"


def _with_claims(rows: pd.DataFrame) -> pd.DataFrame:
    """Claim keys, topics and stances: opinion claims that differ only by a negation ("should
    not be") form one topic, the negated one opposing; other claims are their own topic."""
    texts = rows.drop_duplicates("claim_text")[["claim_text", "kind"]]
    info = {}
    for text, kind in texts.itertuples(index=False):
        if kind == "control":
            info[text] = (_slug(text, 40), _slug(text, 40), "fact")
            continue
        core = NEGATION.sub("", text)
        negated = core != text
        info[text] = (_slug(text, 40), _slug(core, 40), "oppose" if negated else "support")
    rows["claim_key"] = rows["claim_text"].map(lambda t: info[t][0])
    rows["topic"] = rows["claim_text"].map(lambda t: info[t][1])
    rows["stance"] = rows["claim_text"].map(lambda t: info[t][2])
    return rows


def import_anthropic(store: Store, path: str | Path, study: str) -> DatasetImportSummary:
    """Read, check and store the dataset as a new study named `study` (not simulated)."""
    rows = parse_anthropic(read_anthropic_csv(path), str(path))
    return write_study(store, rows, study, Path(path).name)
