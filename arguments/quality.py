"""Quality checks on every argument, stored with it: word count within the study's range,
refusals and hedged non-arguments, empty or truncated texts (stop reason), near-duplicates
(word-shingle Jaccard similarity against the other arguments for the same claim)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from study import Study

REFUSAL = re.compile(
    r"\b(I can(?:no|')t (?:help|write|assist|create|produce|do that)|I(?:'m| am) (?:not able|"
    r"unable) to (?:write|help|assist|create)|I won't (?:write|help|create)|I (?:must|have to) "
    r"decline|I'd rather not write|as an AI\b)",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(both sides|on the other hand|it is important to consider (?:all|both|multiple) "
    r"(?:sides|perspectives)|there are valid arguments on (?:both|each) side|balanced "
    r"perspective|I (?:don't|do not) (?:personally )?take a (?:side|position))",
    re.IGNORECASE,
)
SHINGLE = 3
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class QualityReport:
    """The checks of one argument: `failed` names each failed check."""

    words: int
    failed: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)
    shingles: frozenset[int] = field(default=frozenset(), compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_json(self, attempts: int = 1) -> dict[str, Any]:
        return {
            "words": self.words,
            "failed": list(self.failed),
            "attempts": attempts,
            **self.details,
        }


def shingles(text: str) -> frozenset[int]:
    """Hashes of the text's word trigrams (lower-cased)."""
    words = WORD.findall(text.lower())
    return frozenset(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets: |a & b| / |a | b| (the union counted, not
    built)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def check(
    study: Study,
    text: str,
    stop_reason: str,
    others: Iterable[frozenset[int]] = (),
) -> QualityReport:
    """Run every check on one text; `others` are shingle sets of the same claim's arguments."""
    words = len(text.split())
    tol = study.quality.word_tolerance
    low = int(study.arguments.words_min * (1 - tol))
    high = int(study.arguments.words_max * (1 + tol) + 0.999)
    failed: list[str] = []
    details: dict[str, Any] = {}
    if not text.strip():
        failed.append("empty")
    if stop_reason in ("max_tokens", "model_context_window_exceeded"):
        failed.append("truncated")
    if stop_reason == "refusal" or REFUSAL.search(text[:400]):
        failed.append("refusal")
    if HEDGE.search(text):
        failed.append("hedged")
    if text.strip() and not low <= words <= high:
        failed.append("length")
        details["word_range"] = [low, high]
    own = shingles(text)
    best = max((similarity(own, o) for o in others), default=0.0)
    if best >= study.quality.duplicate_threshold:
        failed.append("near_duplicate")
    details["max_similarity"] = round(best, 3)
    return QualityReport(words, tuple(failed), details, own)
