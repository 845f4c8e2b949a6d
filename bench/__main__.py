"""Run benchmarks: `python -m bench` (all), `python -m bench NAME [ARGS…]` (bench_NAME.py with
its own arguments), or `python -m bench NAME [NAME…] -- ARGS`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def split_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """Benchmark names and the arguments passed to each of them."""
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    if argv and not argv[0].startswith("-"):
        return [argv[0]], argv[1:]
    return [], argv


def main(argv: list[str]) -> int:
    names, rest = split_args(argv)
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"Error: no benchmark {', '.join(unknown)}; choose from: {', '.join(available())}")
        return 1
    code = 0
    for name in names or available():
        print(f"== bench_{name}")
        code |= int(importlib.import_module(f"bench.bench_{name}").main(rest) or 0)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
