"""Run the benchmarks: `python -m bench` runs every bench/bench_*.py; `python -m bench scale
-- --sizes 1,10` runs one with its own arguments."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names, rest = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :])
        if "--" in argv
        else (
            argv,
            [],
        )
    )
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"Error: no benchmark {', '.join(unknown)}; choose from: {', '.join(available())}")
        return 1
    for name in names or available():
        print(f"== bench_{name}")
        importlib.import_module(f"bench.bench_{name}").main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
