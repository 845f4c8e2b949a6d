"""Changing a stored study: the key-by-key difference between a study file and the stored
study, and which changes the data already collected allows.

The rule set (the README's "Changing a running study" lists it for users):

- **Always allowed**: `study.description`, `schedules.*`, `arguments.budget_usd`,
  `generation.*` (how requests are sent), `analysis.*` (report settings; a registered plan
  lists the change as a deviation in the report), `models.*` (registry entries and prices),
  `recruitment.places` up, `recruitment.auto_approve`, `recruitment.fee_rate`,
  `recruitment.token_env`, a new writer (it joins the next round in a new wave), a new strategy.
- **Refused once arguments are stored** (they were written with it): the claim set (its path or
  its content), `arguments.words_min`/`words_max`/`max_tokens`, fewer `arguments.replicates`,
  `quality.*`, `control.*` but `control.true_effect`, `human_writing.*`, a custom strategy
  once arguments use it, and for a writer with stored arguments: removing it, its `kind`,
  `model` or `replay_file`, removing one of its strategies that has arguments, a lower
  `per_claim`.
- **Refused once a wave has been opened** (participants were recruited, shown or simulated
  under it): `study.seed`, `simulation.*`, a writer's or the control's `true_effect`, a
  writer's `format` and `conversation.*`,
  `exclusions.*`, `survey.*`, `participants.*` (but `per_argument`), `recruitment.*` (but the
  keys above), fewer `recruitment.places`, `follow_up.*`, and any key not listed here.
- **`participants.per_argument`** may go up (the next wave tops arguments up) or down to the
  most ratings any argument already has, never below.

A refused change names the key and the fix: undo it, or give the study a new name to start a
new study (the stored one and its data stay as they are).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from study.config import Study
from study.store.models import ArgumentRow, AssignmentRow, RatingRow, WaveRow

ALWAYS = (
    "study.description",
    "schedules.",
    "arguments.budget_usd",
    "generation.",
    "analysis.",
    "models.",
    "recruitment.auto_approve",
    "recruitment.fee_rate",
    "recruitment.token_env",
)
ONCE_WRITTEN = (
    "study.claims",
    "arguments.words_min",
    "arguments.words_max",
    "arguments.max_tokens",
    "quality.",
    "control.writer",
    "control.strategy",
    "human_writing.",
)
KEYED_LISTS = {  # lists of tables shown by their key, not their position
    "writers": "id",
    "strategies": "name",
    "models": "id",
    "demographics": "key",
    "attention_checks": "key",
    "custom": "filter_id",
}
CLAIM_CONTENT = "study.claims (content)"


@dataclass(frozen=True)
class Collected:
    """What a stored study has collected so far, as far as the rules need it."""

    generated: frozenset[tuple[str, str]] = frozenset()  # (writer, strategy) with arguments
    fielded: bool = False  # a wave was opened
    most_ratings: int = 0  # the most completed ratings any one argument has

    @property
    def written(self) -> bool:
        return bool(self.generated)

    def writers(self) -> set[str]:
        return {w for w, _ in self.generated}

    def strategies(self) -> set[str]:
        return {s for _, s in self.generated}


@dataclass(frozen=True)
class Change:
    """One key that differs: the stored value, the file's, and why it is refused ("" when
    it is allowed). A value absent on one side is None."""

    key: str
    old: Any
    new: Any
    refused: str = ""

    def line(self) -> str:
        verdict = f"  (refused: {self.refused})" if self.refused else ""
        return f"  {self.key}: {_show(self.old)} -> {_show(self.new)}{verdict}"


def collected(session: Session, study_id: int) -> Collected:
    """Read what the stored study has collected."""
    generated = session.execute(
        select(ArgumentRow.writer, ArgumentRow.strategy)
        .where(ArgumentRow.study_id == study_id)
        .distinct()
    ).all()
    fielded = session.scalar(select(func.count()).where(WaveRow.study_id == study_id))
    per_argument = (
        select(func.count().label("n"))
        .select_from(RatingRow)
        .join(AssignmentRow, RatingRow.assignment_id == AssignmentRow.id)
        .join(ArgumentRow, AssignmentRow.argument_id == ArgumentRow.id)
        .where(ArgumentRow.study_id == study_id, RatingRow.after.is_not(None))
        .group_by(AssignmentRow.argument_id)
        .subquery()
    )
    most = session.scalar(select(func.max(per_argument.c.n)))
    return Collected(
        frozenset((str(w), str(s)) for w, s in generated), bool(fielded), int(most or 0)
    )


def flatten(study: Study) -> dict[str, Any]:
    """The study as dotted keys (`participants.per_argument`, `writers.gen-1.model`); lists
    of tables are keyed by their id (see KEYED_LISTS), with the table itself under its own
    key (`writers.gen-1`) so that one added or removed shows as one change; other lists are
    values."""
    out: dict[str, Any] = {}
    _flatten(study.model_dump(by_alias=True, mode="json"), "", out)
    return out


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    name = prefix.rsplit(".", 1)[-1]
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out)
    elif (
        isinstance(value, list) and name in KEYED_LISTS and all(isinstance(v, dict) for v in value)
    ):
        key = KEYED_LISTS[name]
        for item in value:
            out[f"{prefix}.{item[key]}"] = Table(item)
            _flatten({k: v for k, v in item.items() if k != key}, f"{prefix}.{item[key]}", out)
    else:
        out[prefix] = value


class Table(dict[str, Any]):
    """A keyed table (a writer, a strategy): compared by presence; its keys are compared one
    by one."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None


def compare(
    old: Study,
    new: Study,
    have: Collected,
    claim_hashes: tuple[str, str] = ("", ""),
) -> list[Change]:
    """Every key that differs between the stored study `old` and the file's `new`, each with
    its verdict under the rules above. `claim_hashes` are the stored and the file's claim-set
    content hashes."""
    before, after = flatten(old), flatten(new)
    whole = {  # tables added or removed: one change each, not one per key
        k for k in set(before) ^ set(after) if isinstance(before.get(k, after.get(k)), Table)
    }
    changes = []
    for key in sorted(set(before) | set(after)):
        if any(key.startswith(f"{t}.") for t in whole):
            continue
        o, n = before.get(key), after.get(key)
        if o != n:
            o, n = (dict(v) if isinstance(v, Table) else v for v in (o, n))
            changes.append(Change(key, o, n, verdict(key, o, n, have)))
    if claim_hashes[0] and claim_hashes[1] and claim_hashes[0] != claim_hashes[1]:
        was, now = (f"sha256 {h[:12]}" for h in claim_hashes)
        changes.append(Change(CLAIM_CONTENT, was, now, verdict(CLAIM_CONTENT, was, now, have)))
    return changes


def verdict(key: str, old: Any, new: Any, have: Collected) -> str:
    """Why changing `key` from `old` to `new` is refused, or "" when it is allowed."""
    if key.startswith("writers."):
        return _writer_verdict(key, old, new, have)
    if key.startswith("strategies."):
        name = key.split(".")[1]
        used = name in have.strategies()
        return "stored arguments were written with this strategy" if used and old else ""
    if key == "participants.per_argument":
        if have.most_ratings and (new or 0) < have.most_ratings:
            return f"some arguments already have {have.most_ratings} ratings; keep at least that"
        return ""
    if key == "recruitment.places":
        if have.fielded and (new or 0) < (old or 0):
            return "a wave was opened with more places; places may only go up"
        return ""
    if key == "arguments.replicates":
        fewer = (new or 0) < (old or 0)
        return "stored arguments include the replicates it drops" if have.written and fewer else ""
    if key.startswith(ALWAYS):
        return ""
    if key.startswith(ONCE_WRITTEN) or key == CLAIM_CONTENT:
        return "stored arguments were written with it" if have.written else ""
    return "a wave was opened with it" if have.fielded else ""


def _writer_verdict(key: str, old: Any, new: Any, have: Collected) -> str:
    parts = key.split(".")
    writer, field = parts[1], ".".join(parts[2:])
    wrote = writer in have.writers()
    if not field:  # the whole writer: added (allowed) or removed
        return "the writer has stored arguments" if wrote and new is None else ""
    if old is None:  # a key of a writer added
        return ""
    if field == "true_effect" or field == "format" or field.startswith("conversation"):
        return "a wave was opened with it" if have.fielded else ""
    if not wrote:
        return ""
    if field in ("kind", "model", "replay_file"):
        return "the writer's stored arguments were written with it"
    if field == "strategies":
        dropped = sorted(set(old or ()) - set(new or ()))
        used = [s for s in dropped if (writer, s) in have.generated]
        return f"stored arguments use strategy {', '.join(used)}" if used else ""
    if field == "per_claim" and (new or 0) < (old or 0):
        return "the writer's stored arguments include the ones it drops"
    return ""


def refusal(path: str, changes: list[Change]) -> str:
    """The one `Error:` message for the refused changes ("" when none is refused)."""
    refused = [c for c in changes if c.refused]
    if not refused:
        return ""
    fix = (
        "or give the study a new name (study.name) to start a new study; the stored one and "
        "its data stay as they are"
    )
    if len(refused) == 1:
        c = refused[0]
        return (
            f"{path}: {c.key} cannot change from {_show(c.old)} to {_show(c.new)}: "
            f"{c.refused}; undo it, {fix}"
        )
    keys = ", ".join(c.key for c in refused)
    return (
        f"{path}: {len(refused)} changes would not match the data already collected "
        f"({keys}); undo them, {fix}"
    )


def event_payload(changes: list[Change]) -> list[dict[str, Any]]:
    """The changes as the store's event log keeps them."""
    return [{"key": c.key, "old": c.old, "new": c.new} for c in changes]


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
