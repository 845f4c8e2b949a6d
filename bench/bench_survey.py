"""Load benchmark of the survey app: N concurrent simulated participants take the whole survey
over loopback HTTP (consent, 3 x before/argument/after, 2 attention checks, debrief, done).

Prints completed sessions per second, p50/p99 page latency and lost answers (stored answers
missing compared with what the app acknowledged: must be 0), next to the same survey written
as an oTree 6 app (bench/otree_survey) served by `otree prodserver` and loaded the same way,
as ratios. oTree runs from its own virtualenv (never a project dependency):

    python3 -m venv /tmp/otree-venv && /tmp/otree-venv/bin/pip install otree httpx
    python -m bench survey --participants 40 --concurrency 8 --otree-venv /tmp/otree-venv

Both servers run as one process on a real SQLite file; both kinds of bots wait the same think
time on the argument page. Without the oTree virtualenv only our figures are printed.

`--burst N` adds the launch burst: N participants arriving evenly within `--window` seconds
(as a new Prolific study fills), each starting the moment it arrives, on SQLite with one
process, on PostgreSQL with two uvicorn workers (`--postgres URL` of a server; a fresh
database is made), and on oTree:

    python -m bench survey --burst 400 --window 60 --postgres postgresql://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import update

from arguments import generate_all
from claims import load_claim_set
from fieldwork.dashboard import export_rows
from study.config import parse_study
from study.examples import example_study_text
from study.store import ArgumentRow, open_store
from study.store.repo import open_wave, register_study
from surveys.bots import Bot, BotResult, Oracle, run_bots
from surveys.serve import free_port

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
SECRET = "bench-secret-" + "x" * 32
ARGUMENT = "Short argument."  # 2 words: ~60 ms minimum reading time at 2000 words per minute
THINK_S = 0.11  # what our bots wait on the argument page (reading time + 50 ms); oTree's too


@dataclass(frozen=True)
class Figures:
    name: str
    sessions: int
    seconds: float
    latencies: list[float]
    lost: int

    @property
    def per_second(self) -> float:
        return self.sessions / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Server:
    """A server subprocess on a loopback port, waited for with a bounded loop."""

    def __init__(
        self, cmd: list[str], cwd: Path, env: dict[str, str], probe: str, logs: Path
    ) -> None:
        log_path = logs / f"{Path(cmd[0]).name}-{id(self)}.log"
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self.log, stderr=self.log)
        for _ in range(600):  # 60 s
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {log_path}")
            try:
                httpx.get(probe, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start; see {log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def seed(db_url: str) -> None:
    text = example_study_text("bench").replace("words_per_minute = 400", "words_per_minute = 2000")
    text = text.replace("per_argument = 3", "per_argument = 100")
    study = parse_study(text)
    store = open_store(db_url)
    with store.session() as session:
        study_id = register_study(session, study, text, load_claim_set("default")).id
    generate_all(store, study, study_id)
    with store.session() as session:
        session.execute(update(ArgumentRow).values(text=ARGUMENT))
        open_wave(session, study_id, "link", 100)
    store.dispose()


def arrivals(n: int, window_s: float, one: Callable[[int], T]) -> list[T]:
    """Run `one(i)` for n arrivals spread evenly over `window_s` seconds, each at its time."""
    started = time.perf_counter()

    def arrive(i: int) -> T:
        delay = started + window_s * i / n - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        return one(i)

    with ThreadPoolExecutor(max_workers=min(n, 96)) as pool:
        return list(pool.map(arrive, range(n)))


def run_ours(
    n: int,
    concurrency: int,
    work: Path,
    db_url: str = "",
    workers: int = 1,
    window_s: float = 0.0,
    name: str = "persuasion app",
) -> Figures:
    db_url = db_url or f"sqlite:///{work / 'survey.db'}"
    seed(db_url)
    return serve_and_load(db_url, "bench", n, concurrency, work, workers, window_s, name)


def serve_and_load(
    db_url: str,
    study: str,
    n: int,
    concurrency: int,
    work: Path,
    workers: int = 1,
    window_s: float = 0.0,
    name: str = "persuasion app",
    env: dict[str, str] | None = None,
) -> Figures:
    """Serve the seeded study `study` with `persuasion survey serve` and send n bots through
    it (`concurrency` at a time, or arriving within `window_s`); count what was lost."""
    port = free_port()
    env = {**os.environ, "PERSUASION_SECRET": SECRET, **(env or {})}
    cmd = [
        sys.executable, "-m", "cli.main", "survey", "serve", "--db", db_url,
        "--port", str(port), "--starts-per-minute", str(100 * n), "--workers", str(workers),
    ]  # fmt: skip
    server = Server(cmd, HERE.parent, env, f"http://127.0.0.1:{port}/health", work)
    store = open_store(db_url)
    base = f"http://127.0.0.1:{port}"
    try:
        oracle = Oracle(store, study, SECRET.encode())
        started = time.perf_counter()
        if window_s > 0:

            def one(i: int) -> BotResult:
                with httpx.Client(base_url=base, timeout=60) as client:
                    return Bot(client, oracle, f"burst-{i}", i, False).run(study)

            results = arrivals(n, window_s, one)
        else:
            results = run_bots(
                lambda: httpx.Client(base_url=base, timeout=60), oracle, n, concurrency, seed=1
            )
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    stored = sorted((r["before"], r["after"]) for r in export_rows(store, study))
    acknowledged = sorted(v for r in results for v in r.answers.values())
    store.dispose()
    lost = len(acknowledged) - sum(1 for a in acknowledged if a in stored)
    lost += abs(len(acknowledged) - len(stored))
    latencies = [x for r in results for x in r.latencies]
    return Figures(name, sum(r.completed for r in results), seconds, latencies, lost)


class _OTreePage(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.kind = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-page":
                self.kind = value or ""


def _otree_participant(base: str, code: str, answers: dict[str, int]) -> tuple[bool, list[float]]:
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:

        def timed(call: Callable[[], httpx.Response]) -> httpx.Response:
            t = time.perf_counter()
            response = call()
            latencies.append(time.perf_counter() - t)
            return response

        response = timed(lambda: client.get(f"/InitializeParticipant/{code}"))
        url = response.headers.get("location", "")
        rounds = {"before": 0, "after": 0}
        for _ in range(60):
            page = timed(lambda u=url: client.get(u))  # type: ignore[misc]
            reader = _OTreePage()
            reader.feed(page.text)
            if reader.kind == "done":
                return True, latencies
            data: dict[str, str] = {}
            if reader.kind in rounds:
                rounds[reader.kind] += 1
                data[reader.kind] = str(answers[f"{reader.kind}{rounds[reader.kind]}"])
            elif reader.kind == "argument":
                time.sleep(THINK_S)
                data["reading_ms"] = str(int(THINK_S * 1000))
            elif reader.kind == "attention":
                data["attention"] = "Somewhat support"
            posted = timed(lambda u=url, d=data: client.post(u, data=d))  # type: ignore[misc]
            url = posted.headers.get("location", url)
    return False, latencies


def run_otree(
    n: int,
    concurrency: int,
    work: Path,
    venv: Path,
    window_s: float = 0.0,
    name: str = "oTree 6 app",
) -> Figures:
    project = work / "otree_survey"
    shutil.copytree(HERE / "otree_survey", project)
    (project / "_static").mkdir(exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "OTREE_REST_KEY": "bench-rest-key",
        "OTREE_PRODUCTION": "1",
    }
    base = f"http://127.0.0.1:{port}"
    cmd = [str(venv / "bin" / "otree"), "prodserver", str(port)]
    server = Server(cmd, project, env, base + "/", work)
    headers = {"otree-rest-key": "bench-rest-key"}
    try:
        created = httpx.post(
            base + "/api/sessions",
            json={"session_config_name": "persuasion", "num_participants": n},
            headers=headers,
            timeout=120,
        ).json()
        info = httpx.get(f"{base}/api/sessions/{created['code']}", headers=headers, timeout=60)
        codes = [p["code"] for p in info.json()["participants"]]
        plan = {f"{k}{i}": 1 + (i * 3 + len(k)) % 7 for k in ("before", "after") for i in (1, 2, 3)}
        started = time.perf_counter()
        if window_s > 0:
            results = arrivals(n, window_s, lambda i: _otree_participant(base, codes[i], plan))
        else:
            with ThreadPoolExecutor(concurrency) as pool:
                results = list(pool.map(lambda c: _otree_participant(base, c, plan), codes))
        seconds = time.perf_counter() - started
        export = httpx.get(
            f"{base}/api/export_app",
            params={"app": "persuasion", "session_code": created["code"]},
            headers=headers,
            timeout=120,
        ).text
    finally:
        server.stop()
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    stored = sum(1 for r in rows if r.get("player.before") and r.get("player.after"))
    done = sum(ok for ok, _ in results)
    lost = done * 3 - stored
    latencies = [x for _, lat in results for x in lat]
    return Figures(name, done, seconds, latencies, lost)


def report(ours: list[Figures], other: Figures | None) -> str:
    """Our rows, oTree's, and each of ours as a ratio to oTree's."""
    lines = [f"{'':30} {'sessions/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'completed':>9}"]
    for f in [*ours, *([other] if other else [])]:
        lines.append(
            f"{f.name:30} {f.per_second:10.2f} {f.pct(0.5):8.1f} {f.pct(0.99):8.1f} "
            f"{f.lost:5d} {f.sessions:9d}"
        )
    for f in ours if other is not None else []:
        assert other is not None
        lines.append(
            f"{'ratio ' + f.name[:16] + '/oTree':30} {f.per_second / other.per_second:9.2f}x "
            f"{f.pct(0.5) / other.pct(0.5):7.2f}x {f.pct(0.99) / other.pct(0.99):7.2f}x"
        )
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench survey", description=__doc__)
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--burst", type=int, default=0, help="Launch-burst participants.")
    parser.add_argument("--window", type=float, default=60.0, help="Burst arrival window (s).")
    parser.add_argument("--postgres", default="", help="A PostgreSQL server URL (burst).")
    parser.add_argument(
        "--otree-venv", type=Path, default=Path(os.environ.get("OTREE_VENV", "/tmp/otree-venv"))
    )
    return parser.parse_args(argv)


def burst(
    args: argparse.Namespace, work: Path, otree: bool
) -> tuple[list[Figures], Figures | None]:
    n, window = args.burst, args.window
    ours = [run_ours(n, 0, work / "sqlite", window_s=window, name="ours, SQLite, 1 process")]
    if args.postgres:
        from bench.bench_scale import fresh_store

        db = fresh_store(work, args.postgres)
        ours.append(run_ours(n, 0, work / "pg", db, 2, window, "ours, PostgreSQL, 2 workers"))
    other = None
    if otree:
        other = run_otree(n, 0, work / "otree", args.otree_venv, window, "oTree 6, 1 process")
    return ours, other


def main(argv: list[str]) -> int:
    args = parse(argv)
    otree = (args.otree_venv / "bin" / "otree").exists()
    if not otree:
        print(f"oTree not found in {args.otree_venv} (see this module's docstring)")
    with tempfile.TemporaryDirectory(prefix="bench-survey-") as tmp:
        work = Path(tmp)
        ours = run_ours(args.participants, args.concurrency, work)
        other = (
            run_otree(args.participants, args.concurrency, work, args.otree_venv) if otree else None
        )
        print(
            f"survey benchmark: {args.participants} participants, {args.concurrency} concurrent, "
            "loopback, SQLite, 14 pages each"
        )
        print(report([ours], other))
        ok = ours.lost == 0 and ours.sessions == args.participants
        if args.burst:
            for sub in ("sqlite", "pg", "otree"):
                (work / sub).mkdir()
            bursts, other_burst = burst(args, work, otree)
            print(
                f"\nlaunch burst: {args.burst} participants arriving within {args.window:.0f} s, "
                "loopback, 14 pages each"
            )
            print(report(bursts, other_burst))
            ok = ok and all(f.lost == 0 and f.sessions == args.burst for f in bursts)
    return 0 if ok else 1
