"""Benchmarks: each `bench/bench_*.py` module has a `main(argv)` that prints its results as
ratios against a baseline measured in the same run. `python -m bench [NAME ...] [-- ARGS]`."""
