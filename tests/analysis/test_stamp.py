"""The reproducibility stamp: tool version and commit, study-file, claim-set and ratings hashes,
seed, in report.html, summary.md and stamp.json."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from analysis import build_report, load_stored_study
from analysis.stamp import git_commit, ratings_hash, tool_version
from analysis.synthetic import synthetic_ratings
from study.importers import import_anthropic
from study.store import Store, get_study_row

REPO = Path(__file__).resolve().parents[2]


def test_every_report_carries_the_stamp(
    tmp_path: Path, store: Store, sqlite_url: str, synthetic_csv: Path
) -> None:
    import_anthropic(store, synthetic_csv, "syn")
    with store.session() as session:
        row = get_study_row(session, "syn")
        toml, claim_hash = row.config_toml, row.claim_set_hash
    stored = load_stored_study(sqlite_url, "syn")
    build_report(
        stored.ratings,
        stored.study,
        tmp_path,
        simulated=False,
        claim_set_hash=stored.claim_set_hash,
        provenance=stored.provenance,
    )
    stamp = json.loads((tmp_path / "stamp.json").read_text())
    assert stamp["study_hash"] == hashlib.sha256(toml.encode()).hexdigest()
    assert stamp["study_hash_of"] == "study file"
    assert stamp["claim_set_hash"] == claim_hash != ""
    assert stamp["ratings_hash"] == ratings_hash(stored.ratings)
    assert stamp["n_ratings"] == len(stored.ratings)
    assert stamp["seed"] == stored.study.study.seed
    assert stamp["tool_version"] == tool_version() != "unknown (not installed)"
    html = (tmp_path / "report.html").read_text()
    summary = (tmp_path / "summary.md").read_text()
    for key in ("study_hash", "ratings_hash", "claim_set_hash"):
        assert f"<code>{stamp[key]}</code>" in html
        assert f"`{stamp[key]}`" in summary
    assert f"<td><code>{stamp['seed']}</code></td>" in html


def test_ratings_hash_ignores_row_order_and_sees_one_changed_rating() -> None:
    ratings = synthetic_ratings(n_claims=4, raters=2, seed=1)
    shuffled = ratings.sample(frac=1, random_state=3)
    assert ratings_hash(shuffled) == ratings_hash(ratings)
    changed = ratings.copy()
    changed.loc[changed.index[7], "after"] = (changed.loc[changed.index[7], "after"] % 7) + 1
    assert ratings_hash(changed) != ratings_hash(ratings)


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="the tests do not run from a checkout")
def test_git_commit_in_a_checkout_and_not_outside(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_commit().removesuffix("+dirty") == head[:12]
    package = tmp_path / "site-packages" / "analysis"
    package.mkdir(parents=True)
    assert git_commit(package) == ""
