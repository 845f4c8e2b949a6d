"""The researcher's view of fieldwork: progress per writer and claim, exclusions, completion
times, integrity signals, and the export of ratings. Platform ids never appear here: the
`participant` column is the store's own row id."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from analysis import estimates_blinded, ratings_table
from common import MissingFile, safe_frame
from study.store import (
    REPORT_PUBLISHED,
    ArgumentRow,
    ClaimRow,
    SessionRow,
    Store,
    WaveRow,
    current_wave,
    events_of,
    get_study_row,
    study_config,
)
from surveys import aware

EXPORT_COLUMNS = (
    "wave",
    "participant",
    "session",
    "position",
    "claim",
    "topic",
    "argument",
    "writer",
    "writer_kind",
    "strategy",
    "direction",
    "before",
    "after",
    "persuasion",
    "reading_ms",
    "min_reading_ms",
    "focus_losses",
    "pastes",
    "failed_checks",
    "exclusion",
    "session_status",
)


def export_frame(store: Store, study_name: str) -> pd.DataFrame:
    """The study's tidy ratings table (`analysis.ratings_table`: one row per rating, excluded
    rows with their reason) in the export's columns."""
    with store.session() as session:
        row = get_study_row(session, study_name)
        study, study_id = study_config(row), row.id
    return ratings_table(store, study_id, study)[list(EXPORT_COLUMNS)]


def export_rows(store: Store, study_name: str) -> list[dict[str, Any]]:
    """The export as records (missing values as None)."""
    frame = export_frame(store, study_name).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def export_csv(store: Store, study_name: str) -> str:
    """The ratings as CSV text (text cells neutralised against formula injection)."""
    return safe_frame(export_frame(store, study_name)).to_csv(index=False, lineterminator="\n")


@dataclass(frozen=True)
class FieldProgress:
    """Fieldwork at a glance (what the dashboard page shows)."""

    study: str
    target: int
    sessions: dict[str, int]
    by_writer: list[dict[str, Any]]
    by_claim: list[dict[str, Any]]
    excluded: int
    median_minutes: float | None
    median_reading_ms: float | None
    too_fast: int
    focus_losses: int
    pastes: int
    reports: list[dict[str, Any]] = field(default_factory=list)
    blinded: bool = False  # per-writer means hidden while a real wave is open (no interim looks)


def progress(store: Store, study_name: str) -> FieldProgress:
    rows = [r for r in export_rows(store, study_name) if r["after"] is not None]
    with store.session() as session:
        study_row = get_study_row(session, study_name)
        study = study_config(study_row)
        sessions = session.execute(
            select(
                SessionRow.status,
                SessionRow.exclusion,
                SessionRow.created_at,
                SessionRow.completed_at,
            )
            .join(WaveRow, WaveRow.id == SessionRow.wave_id)
            .where(WaveRow.study_id == study_row.id)
        ).all()
        args = session.execute(
            select(ArgumentRow.writer, ClaimRow.key)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(ArgumentRow.study_id == study_row.id, ArgumentRow.status == "ok")
        ).all()
        wave = current_wave(session, study_row.id)
        blinded = estimates_blinded(study, wave.status if wave is not None else None)
    target = study.participants.per_argument
    minutes = [
        ((aware(done) or start) - (aware(start) or start)).total_seconds() / 60
        for _, _, start, done in sessions
        if done is not None
    ]
    status_counts: dict[str, int] = {}
    for status, *_ in sessions:
        status_counts[status] = status_counts.get(status, 0) + 1
    reading = [r["reading_ms"] for r in rows if r["reading_ms"] is not None]
    return FieldProgress(
        study_name,
        target,
        status_counts,
        _table(args, rows, 0, "writer", target, blinded),
        _table(args, rows, 1, "claim", target, blinded),
        sum(1 for _, exclusion, _, _ in sessions if exclusion),
        statistics.median(minutes) if minutes else None,
        statistics.median(reading) if reading else None,
        sum(1 for r in rows if (r["reading_ms"] or 0) < r["min_reading_ms"]),
        sum(r["focus_losses"] for r in rows),
        sum(r["pastes"] for r in rows),
        published_reports(store, study_name),
        blinded,
    )


def published_reports(store: Store, study_name: str) -> list[dict[str, Any]]:
    """The study's published reports, newest first: stamp, ratings and when (from the
    `report.published` events the report flow logs)."""
    with store.session() as session:
        study_id = get_study_row(session, study_name).id
        events = events_of(session, study_id, REPORT_PUBLISHED)
        return [
            {
                "stamp": str(e.payload.get("stamp", "")),
                "n_ratings": e.payload.get("n_ratings"),
                "created_at": e.created_at.isoformat(timespec="minutes"),
            }
            for e in events
            if e.payload.get("stamp")
        ]


def report_file(store: Store, study_name: str, stamp: str) -> Path:
    """The archived report.html of one published report of the study."""
    with store.session() as session:
        study_id = get_study_row(session, study_name).id
        events = events_of(session, study_id, REPORT_PUBLISHED)
    for event in events:
        if event.payload.get("stamp") == stamp:
            path = Path(str(event.payload.get("html", "")))
            if path.is_file():
                return path
            raise MissingFile(
                f"report {stamp} of study {study_name!r} was published at {path}, which no "
                "longer exists; re-run the analysis or restore the report folder"
            )
    raise MissingFile(f"study {study_name!r} has no published report {stamp!r}")


def _table(
    args: Sequence[Any],
    rows: list[dict[str, Any]],
    col: int,
    name: str,
    target: int,
    blinded: bool = False,
) -> list[dict[str, Any]]:
    """Per writer (or claim): arguments, completed ratings, arguments at target, mean persuasion
    (None when `blinded`: a real wave is open and no interim looks are declared)."""
    per_arg: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["writer"], r["claim"])
        per_arg[key] = per_arg.get(key, 0) + 1
    groups: dict[str, dict[str, Any]] = {}
    for arg in args:
        g = groups.setdefault(arg[col], {name: arg[col], "arguments": 0, "ratings": 0, "done": 0})
        g["arguments"] += 1
    for (writer, claim), n in per_arg.items():
        label = writer if col == 0 else claim
        if label in groups:
            groups[label]["ratings"] += n
    for g in groups.values():
        g["share"] = g["ratings"] / max(1, g["arguments"] * target)
        g["mean_persuasion"] = (
            None
            if blinded
            else _mean(
                [
                    r["persuasion"]
                    for r in rows
                    if r[name if name == "writer" else "claim"] == g[name]
                ]
            )
        )
    return sorted(groups.values(), key=lambda g: str(g[name]))


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None
