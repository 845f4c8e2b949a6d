"""The scale benchmark's study: k copies of every writer, still a valid study."""

from bench.bench_scale import scaled_study
from study.config import parse_study
from study.examples import example_study_text


def test_scaled_study_copies_every_writer_k_times() -> None:
    base = parse_study(example_study_text("b"))
    scaled = parse_study(scaled_study("b", 3))
    assert len(scaled.writers) == 3 * len(base.writers)
    assert {w.id for w in base.writers} <= {w.id for w in scaled.writers}
    assert scaled.writer("compact-2-x2").model == "offline/compact-2"
    assert scaled.control == base.control and scaled.analysis == base.analysis
