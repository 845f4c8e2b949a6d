"""A study's report history: each analysis is archived under OUT/history/STAMP/, OUT/index.html
lists them newest first, and estimates.csv says which waves each writer's ratings come from.

Plain functions (no Prefect), so the survey app's dashboard can list the same history.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from common import frame_to_csv

HISTORY = "history"
ARCHIVED = ("report.html", "estimates.csv", "figures")


@dataclass(frozen=True)
class HistoryEntry:
    stamp: str
    html: Path
    estimates_csv: Path


def waves_by_writer(ratings: pd.DataFrame) -> dict[str, str]:
    """For each writer, the waves its kept ratings come from: {"compact-1": "1", "new": "2"}."""
    kept = ratings[ratings["exclusion"] == ""]
    return {
        str(writer): ",".join(str(w) for w in sorted({int(x) for x in group["wave"]}))
        for writer, group in kept.groupby("writer")
    }


def annotate_waves(estimates_csv: Path, waves: dict[str, str]) -> None:
    """Add a `waves` column to estimates.csv (left as is when the analysis already wrote one)."""
    estimates = pd.read_csv(estimates_csv)
    if "waves" in estimates.columns:
        return
    estimates["waves"] = [waves.get(str(w), "") for w in estimates["writer"]]
    frame_to_csv(estimates, estimates_csv)


def new_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def archive_report(out_dir: Path, stamp: str | None = None) -> HistoryEntry:
    """Copy the current report of out_dir to out_dir/history/STAMP/ and refresh index.html."""
    target = out_dir / HISTORY / (stamp or new_stamp())
    target.mkdir(parents=True, exist_ok=False)
    for name in ARCHIVED:
        source = out_dir / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    write_index(out_dir)
    return HistoryEntry(target.name, target / "report.html", target / "estimates.csv")


def unchanged_since_last(out_dir: Path) -> HistoryEntry | None:
    """The latest archived report when the current one has the same estimates (same ratings,
    same numbers): then there is nothing new to archive."""
    past = report_history(out_dir)
    current = out_dir / "estimates.csv"
    latest = past[0].estimates_csv if past else None
    if latest and latest.is_file() and current.is_file():
        return past[0] if latest.read_bytes() == current.read_bytes() else None
    return None


def report_history(out_dir: Path) -> list[HistoryEntry]:
    """Past reports of out_dir, newest first."""
    folder = out_dir / HISTORY
    if not folder.is_dir():
        return []
    stamps = sorted((p.name for p in folder.iterdir() if p.is_dir()), reverse=True)
    return [
        HistoryEntry(s, folder / s / "report.html", folder / s / "estimates.csv") for s in stamps
    ]


def write_index(out_dir: Path) -> Path:
    """out_dir/index.html: the latest report and every archived one, newest first."""
    rows = "\n".join(
        f'<li><a href="{HISTORY}/{html.escape(e.stamp)}/report.html">{html.escape(e.stamp)}</a>'
        f' (<a href="{HISTORY}/{html.escape(e.stamp)}/estimates.csv">estimates.csv</a>)</li>'
        for e in report_history(out_dir)
    )
    page = (
        "<!doctype html><meta charset='utf-8'><title>Report history</title>"
        "<h1>Report history</h1><p><a href='report.html'>Latest report</a></p>"
        f"<ol>\n{rows}\n</ol>\n"
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
