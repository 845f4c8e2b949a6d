"""Run benchmarks: `python -m bench` (all) or `python -m bench NAME [ARGS…]` (bench_NAME.py)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"Error: no benchmark {argv[0]!r}; choose one of: {', '.join(names)}")
            return 1
        names, argv = [argv[0]], argv[1:]
    code = 0
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        code |= int(module.main(argv))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
