"""One run of a study at a time across its deployments (a Prefect global concurrency limit of
one slot per study), and `run-study` publishes the fieldwork artifacts a served sync does."""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows import report_flow, study_flow
from flows.artifacts import artifact_key
from flows.limits import ensure_study_limit, study_limit
from tests.flows.small_study import write_study

pytestmark = pytest.mark.prefect


def test_the_study_limit_has_one_slot_and_is_created_once(prefect_harness: None) -> None:
    assert study_limit("My Study_2") == "study-my-study-2"
    assert ensure_study_limit("limited") == ensure_study_limit("limited") == "study-limited"
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("study-limited")
    assert (limit.limit, limit.active) == (1, True)


def test_a_run_study_and_a_report_study_of_one_study_never_run_at_once(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flow bodies (everything that writes the study's store and report folder) are
    replaced by recorders that stay inside for a while: started together, they must take
    turns; a run of another study is not held up."""
    inside: list[tuple[str, float, float]] = []

    def body(what: str) -> Callable[..., None]:
        def record(ref: str, *args: object) -> None:
            entered = time.monotonic()
            time.sleep(4)
            inside.append((f"{what} {Path(ref).stem}", entered, time.monotonic()))

        return record

    monkeypatch.setattr(study_flow, "_run_study", body("run"))
    monkeypatch.setattr(report_flow, "_report", body("report"))
    one = str(write_study(tmp_path / "one", name="one"))
    two = str(write_study(tmp_path / "two", name="two"))
    out = str(tmp_path / "r")
    threads = [
        threading.Thread(target=study_flow.run_study, args=(one, out)),
        threading.Thread(target=report_flow.report_study, args=(one, out)),
        threading.Thread(target=report_flow.report_study, args=(two, out)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert sorted(what for what, _, _ in inside) == ["report one", "report two", "run one"]
    (a, b) = sorted((start, end) for what, start, end in inside if what.endswith(" one"))
    assert a[1] <= b[0]  # one after the other
    (other,) = [(start, end) for what, start, end in inside if what == "report two"]
    assert other[0] < max(a[1], b[1]) and other[1] > min(a[0], b[0])  # alongside study one


def test_run_publishes_the_fieldwork_artifacts(
    prefect_harness: None, tmp_path: Path, sqlite_url: str
) -> None:
    ref = str(write_study(tmp_path, name="artifacts"))
    assert study_flow.run_study(ref, str(tmp_path / "r"), sqlite_url).report is not None
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(
                    any_=[
                        artifact_key("fieldwork-progress", "artifacts"),
                        artifact_key("fieldwork-status", "artifacts"),
                    ]
                )
            )
        )
    by_key = {a.key: a.data for a in found}
    assert by_key[artifact_key("fieldwork-progress", "artifacts")] == 100.0
    assert "arguments at target" in str(by_key[artifact_key("fieldwork-status", "artifacts")])
