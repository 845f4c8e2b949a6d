"""Run the benchmarks: `python -m bench [NAME ...]` (NAME: the part after `bench_`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    folder = str(Path(__file__).parent)
    return sorted(m.name[6:] for m in pkgutil.iter_modules([folder]) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"Error: no benchmark {', '.join(unknown)}; available: {', '.join(available())}")
        return 1
    for name in names:
        print(f"== bench_{name}")
        importlib.import_module(f"bench.bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
