"""How a simulated study's cost grows with its size: the demo study at 1x, 10x and 100x (every
writer copied k times, so k times the arguments and ratings), run end to end through
`run_study` with the thread and the Dask task runner. Prints seconds and milliseconds per
rating, and each run's time per rating as a ratio to the 1x thread run of the same session.

    python -m bench scale -- --sizes 1,10,100 --runners thread,dask --workers 2
    python -m bench scale -- --postgres postgresql://postgres@127.0.0.1:5432/postgres

It uses the Prefect server at PREFECT_API_URL, or starts a local one for the session. The store
is a fresh SQLite file per run, or a fresh database per run on --postgres's server.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from flows.serve import prefect_api
from study.examples import example_study_text


@dataclass(frozen=True)
class Result:
    size: int
    runner: str
    ratings: int
    seconds: float

    @property
    def ms_per_rating(self) -> float:
        return 1000 * self.seconds / max(self.ratings, 1)


def scaled_study(name: str, k: int) -> str:
    """The example study with every writer copied k times (ids suffixed -x1, -x2, ...)."""
    text = example_study_text(name)
    start, end = text.index("[[writers]]"), text.index("[control]")
    blocks = ["[[writers]]" + b for b in text[start:end].split("[[writers]]")[1:]]
    copies = []
    for copy in range(k):
        for block in blocks:
            copies.append(
                block
                if copy == 0
                else re.sub(r'^id = "([^"]+)"', rf'id = "\1-x{copy}"', block, flags=re.M)
            )
    return text[:start] + "".join(copies) + text[end:]


def fresh_store(folder: Path, postgres: str | None) -> str:
    if not postgres:
        return f"sqlite:///{folder / 'store.db'}"
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres.rsplit("/", 1)[0] + f"/{name}"


def run_once(size: int, runner: str, workers: int, postgres: str | None) -> Result:
    from flows.study_flow import run_study_on

    with tempfile.TemporaryDirectory(prefix="persuasion-bench-") as tmp:
        folder = Path(tmp)
        study = folder / "bench.toml"
        study.write_text(scaled_study(f"bench-{size}x-{runner}", size), encoding="utf-8")
        db = fresh_store(folder, postgres)
        started = time.perf_counter()
        report = run_study_on(
            str(study), str(folder / "report"), db, runner=runner, workers=workers
        ).report
        seconds = time.perf_counter() - started
    return Result(size, runner, report.n_ratings if report else 0, seconds)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    parser.add_argument(
        "--sizes", default="1,10,100", help="Multiples of the demo (default 1,10,100)."
    )
    parser.add_argument("--runners", default="thread,dask", help="Task runners (thread,dask).")
    parser.add_argument("--workers", type=int, default=2, help="Workers (and panel shards).")
    parser.add_argument("--postgres", default=None, help="A PostgreSQL server URL for the store.")
    return parser.parse_args(argv)


HEADER = f"{'size':>5} {'runner':>7} {'ratings':>8} {'seconds':>8} {'ms/rating':>10} {'ratio':>6}"


def row(result: Result, base: Result) -> str:
    return (
        f"{result.size:>4}x {result.runner:>7} {result.ratings:>8} {result.seconds:>8.1f} "
        f"{result.ms_per_rating:>10.3f} {result.ms_per_rating / base.ms_per_rating:>6.2f}"
    )


def main(argv: list[str] | None = None) -> list[Result]:
    args = parse(argv or [])
    sizes = [int(s) for s in args.sizes.split(",")]
    results: list[Result] = []
    with prefect_api("the benchmark needs one for all its runs"):
        print(HEADER)
        for size in sizes:
            for runner in args.runners.split(","):
                results.append(run_once(size, runner, args.workers, args.postgres))
                print(row(results[-1], results[0]), flush=True)
    print(f"ratio: time per rating against the first run ({results[0].size}x {results[0].runner}).")
    return results
