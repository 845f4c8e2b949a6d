"""Benchmarks: each `bench/bench_*.py` module has `main(argv) -> int` and prints its figures
next to a baseline measured in the same run, as a ratio. Run all with `python -m bench`, or
one with `python -m bench survey --participants 40`."""
