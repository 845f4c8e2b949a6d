"""Reading claim-set files (YAML or CSV) into validated claim sets, with line-accurate errors.

A YAML set is a mapping with `name`, optional `description`, and a `claims` list; a CSV set has
the header `id,topic,stance,kind,text` and takes its name from the file name.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from claims.errors import ClaimSetError, Problem
from claims.model import KINDS, STANCES, Claim, ClaimSet
from common import UsageError

FIELDS = ("id", "topic", "stance", "kind", "text")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
BUNDLED = ("default",)


def bundled_path(name: str) -> Path:
    """Path of a claim set shipped inside the package."""
    if name not in BUNDLED:
        raise UsageError(
            f"unknown bundled claim set {name!r}; bundled sets are: {', '.join(BUNDLED)} "
            "(or give the path of a .yaml or .csv file)"
        )
    return Path(str(resources.files("claims") / "data" / f"{name}.yaml"))


def load_claim_set(ref: str | Path) -> ClaimSet:
    """Load a claim set from a bundled name (`default`) or a `.yaml`/`.yml`/`.csv` path.

    Raises ClaimSetError listing every problem as `PATH:LINE: message`.
    """
    path = Path(ref)
    if not path.exists():
        if str(ref) in BUNDLED:
            path = bundled_path(str(ref))
        else:
            raise ClaimSetError(
                [
                    Problem(
                        str(ref),
                        0,
                        "no such file; give a .yaml or .csv path or one of the "
                        f"bundled sets: {', '.join(BUNDLED)}",
                    )
                ]
            )
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        rows, name, description = _yaml_rows(text, str(path))
    elif path.suffix.lower() == ".csv":
        rows, name, description = _csv_rows(text, str(path)), path.stem, ""
    else:
        raise ClaimSetError(
            [Problem(str(path), 0, f"unknown file type {path.suffix!r}; use .yaml, .yml or .csv")]
        )
    claims = _validate(rows, str(path))
    return ClaimSet(
        name=name or path.stem, claims=claims, source=str(path), description=description
    )


Row = tuple[int, dict[str, Any]]


def _yaml_rows(text: str, path: str) -> tuple[list[Row], str, str]:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise ClaimSetError([Problem(path, line, f"not valid YAML: {exc}")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ClaimSetError([Problem(path, 1, "expected a mapping with a `claims:` list")])
    top = {k.value: v for k, v in root.value}
    claims_node = top.get("claims")
    if not isinstance(claims_node, yaml.SequenceNode):
        raise ClaimSetError([Problem(path, 1, "expected a `claims:` list of claims")])
    rows: list[Row] = []
    for item in claims_node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            rows.append((line, {}))
            continue
        rows.append(
            (line, {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)})
        )
    data = yaml.safe_load(text)
    return rows, str(data.get("name") or ""), str(data.get("description") or "")


def _csv_rows(text: str, path: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if missing:
        raise ClaimSetError(
            [
                Problem(
                    path,
                    1,
                    f"missing column(s) {', '.join(missing)}; "
                    f"the header must be {','.join(FIELDS)}",
                )
            ]
        )
    rows: list[Row] = []
    start = 2
    for record in reader:
        rows.append((start, dict(record)))
        start = reader.line_num + 1
    return rows


def _validate(rows: list[Row], path: str) -> tuple[Claim, ...]:
    problems: list[Problem] = []
    claims: list[Claim] = []
    seen_ids: dict[str, int] = {}
    seen_text: dict[str, int] = {}
    stances: dict[str, set[str]] = defaultdict(set)
    topic_line: dict[str, int] = {}
    if not rows:
        raise ClaimSetError([Problem(path, 1, "the claim set has no claims")])
    for line, row in rows:
        found = [p for p in _row_problems(row, path, line)]
        problems.extend(found)
        if found:
            continue
        claim = Claim(**{f: str(row[f]).strip() for f in FIELDS})  # type: ignore[arg-type]
        if claim.id in seen_ids:
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate id {claim.id!r} "
                    f"(first at line {seen_ids[claim.id]}); ids must be unique",
                )
            )
            continue
        if claim.text.casefold() in seen_text:
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate text of claim {claim.id!r} (same as "
                    f"line {seen_text[claim.text.casefold()]})",
                )
            )
        seen_ids[claim.id] = line
        seen_text[claim.text.casefold()] = line
        if claim.kind == "opinion":
            stances[claim.topic].add(claim.stance)
            topic_line.setdefault(claim.topic, line)
        claims.append(claim)
    for topic, have in stances.items():
        lacking = {"support", "oppose"} - have
        if lacking:
            problems.append(
                Problem(
                    path,
                    topic_line[topic],
                    f"topic {topic!r} has no "
                    f"{' or '.join(sorted(lacking))} claim; every opinion topic "
                    "needs one supporting and one opposing claim",
                )
            )
    if problems:
        raise ClaimSetError(sorted(problems, key=lambda p: p.line))
    return tuple(claims)


def _row_problems(row: dict[str, Any], path: str, line: int) -> list[Problem]:
    if not row:
        return [Problem(path, line, f"a claim must be a mapping with keys {', '.join(FIELDS)}")]
    problems = [
        Problem(path, line, f"missing {key!r}; every claim needs {', '.join(FIELDS)}")
        for key in FIELDS
        if key not in row or row[key] is None
    ]
    if problems:
        return problems
    unknown = sorted(set(row) - set(FIELDS))
    if unknown:
        problems.append(
            Problem(
                path, line, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}"
            )
        )
    values = {k: str(row[k]).strip() for k in FIELDS}
    if not ID_PATTERN.match(values["id"]):
        problems.append(
            Problem(
                path,
                line,
                f"id {values['id']!r} is not allowed; use 1-64 letters, digits, '-', '_' or '.'",
            )
        )
    for key in ("topic", "text"):
        if not values[key]:
            problems.append(Problem(path, line, f"empty {key} in claim {values['id']!r}"))
    if values["kind"] not in KINDS:
        problems.append(
            Problem(path, line, f"unknown kind {values['kind']!r}; allowed: {', '.join(KINDS)}")
        )
    if values["stance"] not in STANCES:
        problems.append(
            Problem(
                path, line, f"unknown stance {values['stance']!r}; allowed: {', '.join(STANCES)}"
            )
        )
    elif values["kind"] == "control" and values["stance"] != "fact":
        problems.append(
            Problem(path, line, f"control claim {values['id']!r} must have stance 'fact'")
        )
    elif values["kind"] == "opinion" and values["stance"] == "fact":
        problems.append(
            Problem(
                path, line, f"opinion claim {values['id']!r} must have stance 'support' or 'oppose'"
            )
        )
    return problems
