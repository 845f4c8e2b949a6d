"""Determinism: one seeded study run from scratch several times on each task runner and store
(thread/SQLite, Dask/SQLite, thread/PostgreSQL, Dask/PostgreSQL) gives identical estimates.
Prints a fingerprint of each run's estimates.csv and whether all of them are identical; exits 1
when they are not.

    python -m bench determinism --runs 5
    python -m bench determinism --runs 5 --postgres postgresql://postgres@127.0.0.1:5432/postgres

The study is the demo study (`persuasion init`, with --resamples bootstrap resamples), run
through `run_study` with `--workers` panel shards, on the Prefect server at PREFECT_API_URL or
a local one started for the session.
Each run gets a fresh SQLite file, or a fresh database on --postgres's server (without
--postgres a temporary PostgreSQL server is started, as the tests do).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from bench.bench_scale import fresh_store
from flows.serve import prefect_api
from study.examples import example_study_text

COMBOS = (("thread", "sqlite"), ("dask", "sqlite"), ("thread", "postgres"), ("dask", "postgres"))


def study_text(resamples: int) -> str:
    """The demo study, with `resamples` bootstrap resamples (the estimates' intervals depend
    on them, so they are part of what must be identical)."""
    text = example_study_text("determinism")
    return re.sub(
        r"^bootstrap_resamples = \d+", f"bootstrap_resamples = {resamples}", text, flags=re.M
    )


def estimates_of(runner: str, db: str, folder: Path, workers: int, resamples: int) -> pd.DataFrame:
    """One run of the seeded study from scratch; its estimates, rows in a fixed order."""
    from flows.study_flow import run_study_on

    study = folder / "determinism.toml"
    study.write_text(study_text(resamples), encoding="utf-8")
    outcome = run_study_on(str(study), str(folder / "report"), db, runner=runner, workers=workers)
    if outcome.report is None:
        raise SystemExit(f"Error: the run was not analysed: {outcome.incomplete}")
    frame = pd.read_csv(outcome.report.estimates_csv)
    return frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)


def fingerprint(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


@contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests.support.postgres import temporary_server

    with temporary_server() as server:
        yield server


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench determinism", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="Runs per combination (default 5).")
    parser.add_argument("--workers", type=int, default=3, help="Workers and panel shards.")
    parser.add_argument("--postgres", default=None, help="A PostgreSQL server URL for the store.")
    parser.add_argument(
        "--resamples", type=int, default=2000, help="Bootstrap resamples (default 2000)."
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv or [])
    first: pd.DataFrame | None = None
    differ: list[str] = []
    with postgres_server(args.postgres) as server, prefect_api("the runs share one"):
        for runner, store in COMBOS:
            for run in range(1, args.runs + 1):
                with tempfile.TemporaryDirectory(prefix="persuasion-determinism-") as tmp:
                    db = fresh_store(Path(tmp), server if store == "postgres" else None)
                    started = time.perf_counter()
                    frame = estimates_of(runner, db, Path(tmp), args.workers, args.resamples)
                seconds = time.perf_counter() - started
                first = frame if first is None else first
                same = frame.equals(first)
                if not same:
                    differ.append(f"{runner}/{store} run {run}")
                print(
                    f"{runner:>6}/{store:<8} run {run}: {len(frame)} estimates, "
                    f"sha256 {fingerprint(frame)} {'same' if same else 'DIFFERENT'} "
                    f"({seconds:.0f} s)",
                    flush=True,
                )
    total = len(COMBOS) * args.runs
    if differ:
        print(f"NOT identical: {len(differ)} of {total} runs differ from the first: {differ}")
        return 1
    print(f"identical: all {total} runs ({args.runs} per runner/store) give the same estimates")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
