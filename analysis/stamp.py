"""The reproducibility stamp of every report: which tool made it from which inputs.

tool version (and the git commit when the tool runs from a checkout, "+dirty" when tracked
files differ from it), the study file's hash, the claim set's hash, the ratings' hash and the
seed. Hashes are SHA-256 in hex: the study file's of its stored TOML text (or, for a study
object without text, of its canonical JSON), the ratings' of the tidy ratings table written as
CSV with rows in a canonical order (so the same ratings give the same hash on SQLite and
PostgreSQL).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.preregistration import Registration
from study import Study

DISTRIBUTION = "persuasion-pipeline"


@dataclass(frozen=True)
class Provenance:
    """What the report knows about its inputs beyond the ratings (from the store)."""

    study_text: str = ""  # the stored study file
    registration: Registration = field(default_factory=Registration)


@dataclass(frozen=True)
class Stamp:
    tool_version: str
    git_commit: str  # "" when not running from a git checkout of the tool
    study_hash: str
    study_hash_of: str  # "study file" | "study config (canonical JSON)"
    claim_set_hash: str
    ratings_hash: str
    n_ratings: int
    seed: int

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs in display order."""
        tool = self.tool_version + (f" (git {self.git_commit})" if self.git_commit else "")
        return [
            ("tool", f"{DISTRIBUTION} {tool}"),
            (f"{self.study_hash_of} SHA-256", self.study_hash),
            ("claim set hash", self.claim_set_hash or "(not recorded)"),
            (f"ratings SHA-256 ({self.n_ratings} rows)", self.ratings_hash),
            ("seed", str(self.seed)),
        ]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ratings_hash(ratings: pd.DataFrame) -> str:
    """SHA-256 of the ratings table as CSV, rows sorted by every column (as text)."""
    text = ratings.astype(str)
    ordered = text.sort_values(list(text.columns), kind="stable")
    return sha256_text(ordered.to_csv(index=False, lineterminator="\n"))


def tool_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def git_commit(package_dir: Path | None = None) -> str:
    """The commit of the checkout the tool runs from ("" when it is not one, or git is
    missing), with "+dirty" when tracked files have changes."""
    root = (package_dir or Path(__file__).resolve().parent).parent
    if not (root / ".git").exists() or not (root / "pyproject.toml").is_file():
        return ""
    try:
        head = _git(root, "rev-parse", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return ""
    return head[:12] + ("+dirty" if dirty else "")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def make_stamp(
    study: Study, ratings: pd.DataFrame, claim_set_hash: str = "", study_text: str = ""
) -> Stamp:
    """The stamp of a report on `ratings` of `study` (its file's text when known)."""
    if study_text:
        study_hash, of = sha256_text(study_text), "study file"
    else:
        study_hash, of = sha256_text(study.model_dump_json()), "study config (canonical JSON)"
    return Stamp(
        tool_version=tool_version(),
        git_commit=git_commit(),
        study_hash=study_hash,
        study_hash_of=of,
        claim_set_hash=claim_set_hash,
        ratings_hash=ratings_hash(ratings),
        n_ratings=len(ratings),
        seed=study.study.seed,
    )
