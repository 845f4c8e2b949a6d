"""The survey benchmark's own half runs and counts lost answers (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.bench_survey import Figures, report, run_ours


def test_benchmark_completes_sessions_without_losing_answers(tmp_path: Path) -> None:
    figures = run_ours(3, 3, tmp_path)
    assert figures.sessions == 3 and figures.lost == 0
    assert len(figures.latencies) >= 3 * 28  # a GET and a POST for each of 14 pages


def test_report_prints_ratios_against_the_baseline() -> None:
    ours = Figures("persuasion app", 10, 2.0, [0.01, 0.02], 0)
    other = Figures("oTree 6 app", 10, 4.0, [0.02, 0.04], 0)
    lines = report([ours], other).splitlines()
    assert lines[-1].split()[:4] == ["ratio", "persuasion", "app/oTree", "2.00x"]
    assert lines[-1].split()[4] == "0.50x"


def test_a_launch_burst_on_two_postgres_workers_loses_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    figures = run_ours(6, 0, tmp_path, postgres_url, workers=2, window_s=1.0, name="burst")
    assert figures.sessions == 6 and figures.lost == 0
