"""Benchmarks: each `bench/bench_*.py` module has a `main()` that prints its measurements as
ratios against a baseline measured in the same run. Run them all with `python -m bench`, or
some with `python -m bench analysis`."""
