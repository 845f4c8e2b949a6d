"""Generation throughput against a loopback Anthropic stand-in with a fixed latency.

Prints, for about 1,000 requests through `generate_all` (real SDK, real SQLite store, quality
checks), the throughput as a ratio of the bound min(in-flight limit / latency, rate limit),
once bound by the in-flight limit and once by the rate limit, and the overhead against a
plain asyncio loop (semaphore + gather) over the same SDK and server, measured in this run.
The SDK is imported before anything is timed (about 3 s on a 2-core machine, paid once per
process, not per request; the plain loop never pays it inside its timing either), and the
load average is printed with the figures: the ratios are only meaningful on a quiet machine.

    python -m bench generation
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LATENCY = 0.4
IN_FLIGHT = 16
REPLICATES = 4  # 64 claims x 4 strategies x 4 replicates = 1,024 requests
STRATEGIES = '["compelling_case", "expert_rhetorics", "logical_reasoning", "deceptive"]'


def start_standin() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.anthropic_standin", "--latency", str(LATENCY)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def study_toml(name: str, rpm: int) -> str:
    return (
        f'[study]\nname = "{name}"\nclaims = "default"\n\n'
        '[[writers]]\nid = "haiku"\nkind = "model"\nmodel = "anthropic/claude-haiku-5-5"\n'
        f'strategies = {STRATEGIES}\n\n[control]\nwriter = "haiku"\n\n'
        '[analysis]\nreference = "haiku"\n\n[recruitment]\nplatform = "link"\nsurvey_url = "https://survey.example.org/s"\n\n'
        f"[arguments]\nreplicates = {REPLICATES}\n\n"
        f"[generation]\nmax_in_flight = {IN_FLIGHT}\nrequests_per_minute = {rpm}\n"
    )


def pipeline(folder: Path, name: str, rpm: int) -> tuple[int, float]:
    """(requests, seconds) for generate_all over a fresh SQLite store."""
    from arguments import generate_all
    from study.loading import load_and_register
    from study.store import open_store

    path = folder / f"{name}.toml"
    path.write_text(study_toml(name, rpm))
    with open_store(f"sqlite:///{folder / (name + '.db')}") as store:
        loaded = load_and_register(store, str(path))
        started = time.perf_counter()
        summary = generate_all(store, loaded.study, loaded.study_id)
        elapsed = time.perf_counter() - started
    if summary.written != summary.planned:
        raise RuntimeError(f"only {summary.written} of {summary.planned} written")
    return summary.written, elapsed


async def plain_loop(url: str, n: int) -> float:
    """The same number of requests through AsyncAnthropic, a semaphore and gather."""
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="bench", base_url=url, max_retries=0)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with gate:
            await client.messages.create(
                model="claude-haiku-5-5",
                max_tokens=700,
                messages=[{"role": "user", "content": f"Write an essay number {i}."}],
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    import arguments.providers.anthropic  # noqa: F401  (the SDK's import, outside the timing)

    proc, url = start_standin()
    os.environ["ANTHROPIC_BASE_URL"], os.environ["ANTHROPIC_API_KEY"] = url, "bench"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            in_flight_bound = IN_FLIGHT / LATENCY
            rate_rps = in_flight_bound / 2  # a rate limit well below the in-flight bound
            n, t_flight = pipeline(folder, "flight", int(in_flight_bound * 60 * 10))
            _, t_rate = pipeline(folder, "rate", int(rate_rps * 60))
            t_plain = asyncio.run(plain_loop(url, n))
    finally:
        proc.terminate()
        proc.wait()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"requests per run: {n}; latency {LATENCY * 1000:.0f} ms; in flight {IN_FLIGHT}; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    for label, seconds, bound in (
        ("in-flight bound", t_flight, in_flight_bound),
        ("rate bound", t_rate, rate_rps),
    ):
        rps = n / seconds
        print(
            f"{label:16s} {rps:7.1f} req/s of bound {bound:6.1f} req/s: "
            f"ratio {rps / bound:.2f} (goal >= 0.80)"
        )
    print(
        f"plain asyncio loop {n / t_plain:7.1f} req/s; pipeline/plain time ratio "
        f"{t_flight / t_plain:.2f} (1.00 = no overhead)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
