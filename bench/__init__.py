"""Benchmarks: each `bench/bench_*.py` module has `main(argv) -> int | None` and prints its
figures next to a baseline measured in the same run, as a ratio. Run all with
`python -m bench`, one with `python -m bench survey --participants 40`, or several with their
shared arguments after `--` (`python -m bench scale -- --sizes 1,10`)."""
