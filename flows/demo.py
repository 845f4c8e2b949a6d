"""The demo: a study of offline model writers and simulated participants, end to end."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from common import UsageError
from flows.steps import ReportSummary
from flows.study_flow import run_study
from study import write_example

DEMO_NAME = "demo"


def demo_paths(out_dir: Path) -> tuple[Path, str]:
    """Where the demo keeps its study file and its store (a SQLite file in out_dir)."""
    return out_dir / f"{DEMO_NAME}.toml", f"sqlite:///{(out_dir / 'persuasion.db').resolve()}"


@flow(name="demo")
def demo_flow(out_dir: str) -> ReportSummary:
    """Write the example study into out_dir and run it with a SQLite store in the same folder."""
    folder = Path(out_dir)
    study_file, db = demo_paths(folder)
    if not study_file.exists():
        write_example(DEMO_NAME, folder)
    outcome = run_study(str(study_file), str(folder / "report"), db)
    if outcome.report is None:
        raise UsageError(
            f"{study_file} was not analysed ({outcome.incomplete}); it must use the "
            "simulated panel: restore it or delete it"
        )
    return outcome.report
