"""The simulated panel is complete or says what is missing: an interrupted panel is topped up
on the next run, and a seeded panel gives the same answers whatever order its shards run in
and whatever order generation happened to write the arguments."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, select, text

from analysis import ratings_table, writer_means
from analysis.tidy import kept
from fieldwork import wave_status
from flows import steps
from study.loading import load_and_register
from study.store import (
    AssignmentRow,
    AttentionAnswerRow,
    ParticipantRow,
    RatingRow,
    SessionRow,
    Store,
    open_store,
)
from study.store.repo import get_study_row
from tests.flows.small_study import write_study


@contextmanager
def opened(db: str) -> Iterator[Store]:
    store = open_store(db)
    try:
        yield store
    finally:
        store.dispose()


CONTENT = ["wave", "claim", "writer", "strategy", "before", "after", "reading_ms", "exclusion"]


def tidy(db: str) -> pd.DataFrame:
    with opened(db) as store:
        with store.session() as session:
            study_id = get_study_row(session, "small").id
        return ratings_table(store, study_id)


def interrupt(db: str, keep: int) -> int:
    """Leave the store as a panel stopped after `keep` participants leaves it (each one is
    committed on its own); returns how many participants were dropped."""
    with opened(db) as store, store.session() as session:
        sessions = list(session.scalars(select(SessionRow).order_by(SessionRow.id)))[keep:]
        ids = [s.id for s in sessions]
        people = [s.participant_id for s in sessions]
        assignments = select(AssignmentRow.id).where(AssignmentRow.session_id.in_(ids))
        session.execute(delete(RatingRow).where(RatingRow.assignment_id.in_(assignments)))
        session.execute(delete(AssignmentRow).where(AssignmentRow.session_id.in_(ids)))
        session.execute(delete(AttentionAnswerRow).where(AttentionAnswerRow.session_id.in_(ids)))
        session.execute(delete(SessionRow).where(SessionRow.id.in_(ids)))
        session.execute(delete(ParticipantRow).where(ParticipantRow.id.in_(people)))
        return len(ids)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_interrupted_panel_is_topped_up_to_the_full_count(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = (
        f"sqlite:///{tmp_path / 's.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    ref = str(write_study(tmp_path))
    steps.generate_step(db, ref)
    assert steps.open_step(db, ref).status == "open"
    steps.panel_step(db, ref)
    assert interrupt(db, keep=5) > 0
    with opened(db) as store:
        stopped = wave_status(store, load_and_register(store, ref))
    assert stopped.status == "open" and not stopped.complete
    assert "wave 1 of study 'small' is open: " in steps.incomplete_note(stopped)
    assert steps.panel_step(db, ref) == 76 - stopped.ratings  # exactly what was missing
    done = steps.sync_step(db, ref)
    assert (done.status, done.ratings, done.complete) == ("closed", 76, True)
    assert steps.incomplete_note(done) == ""
    assert steps.panel_step(db, ref) == 0


def fielded(folder: Path, order: list[int], reverse_ids: bool) -> pd.DataFrame:
    db = f"sqlite:///{folder / 's.db'}"
    ref = str(write_study(folder))
    steps.generate_step(db, ref)
    if reverse_ids:  # as if generation had finished its requests in the opposite order
        with opened(db) as store, store.session() as session:
            session.execute(text("UPDATE argument SET id = 100000 - id"))
    steps.open_step(db, ref)
    for shard in order:
        steps.panel_step(db, ref, shard, len(order))
    assert steps.sync_step(db, ref).complete
    return tidy(db)


def test_a_seeded_panel_does_not_depend_on_shard_order_or_argument_ids(tmp_path: Path) -> None:
    first = fielded(tmp_path / "a", [0, 1, 2], reverse_ids=False)
    second = fielded(tmp_path / "b", [2, 0, 1], reverse_ids=True)
    assert len(first) == 76
    pd.testing.assert_frame_equal(first[CONTENT], second[CONTENT])
    pd.testing.assert_frame_equal(
        writer_means(kept(first), n_resamples=200), writer_means(kept(second), n_resamples=200)
    )


def test_a_partial_report_says_so_in_its_first_lines(tmp_path: Path, sqlite_url: str) -> None:
    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    steps.panel_step(sqlite_url, ref)
    interrupt(sqlite_url, keep=10)
    with opened(sqlite_url) as store:
        note = steps.incomplete_note(wave_status(store, load_and_register(store, ref)))
    report = steps.analyse_step(sqlite_url, "small", tmp_path / "r", note)
    summary = Path(report.summary_md).read_text().splitlines()
    assert summary[2] == f"**PARTIAL DATA**: {note}"
    html = Path(report.html).read_text().split("</h1>")[1][:400]
    assert f"PARTIAL DATA: {note}".replace("'", "&#39;") in html


def test_run_ends_with_what_is_incomplete_and_exit_code_1(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from cli.main import _print_outcome

    ref = str(write_study(tmp_path))
    steps.generate_step(sqlite_url, ref)
    steps.open_step(sqlite_url, ref)
    with opened(sqlite_url) as store:
        wave = wave_status(store, load_and_register(store, ref))
    outcome = steps.StudyOutcome(None, wave, steps.incomplete_note(wave))
    with pytest.raises(typer.Exit) as exit_:
        _print_outcome(outcome, ref)
    assert exit_.value.exit_code == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "Error: wave 1 of study 'small' is open: 0 of 38 arguments have their 2 ratings; "
        "not analysed. Run it again to top it up, or pass --partial to analyse what is there"
    )


def test_a_real_platform_run_ends_with_the_participant_url_and_what_next(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import _print_outcome

    path = write_study(tmp_path)
    link = '[recruitment]\nplatform = "link"\nsurvey_url = "https://s.example/start/small"\n\n'
    path.write_text(path.read_text().replace("[analysis]", link + "[analysis]"))
    ref = str(path)
    wave = steps.WaveStatus("small", 1, "open", "link", 2, 38, 0, 0)
    _print_outcome(steps.StudyOutcome(None, wave, steps.incomplete_note(wave)), ref)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        "Wave 1 is open on link: 0 of 38 arguments have their 2 ratings.",
        "Participants start at: https://s.example/start/small",
        f"Next: `persuasion serve {tmp_path}` syncs it and writes the report on schedule (or "
        f"`persuasion field sync {ref}` by hand); `persuasion status small` shows progress.",
    ]
