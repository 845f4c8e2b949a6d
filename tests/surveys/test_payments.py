"""Bonuses through Prolific's bulk bonus API (the stand-in's pay call pays again every time it
is sent, as Prolific documents): owed to participants who finished after the time limit, set
up by submission id, paid once even when a pay call fails or its outcome is unknown."""

import json
from pathlib import Path

import pytest

from fieldwork import open_fieldwork, sync_fieldwork
from fieldwork.payments import Owed, owed_bonuses, pay_bonuses
from fieldwork.platforms.prolific import ProlificPlatform
from study.loading import LoadedStudy
from study.store import EventRow, SessionRow, Store, WaveRow
from tests.support.field_data import add_session, argument_ids, session_row, tiny_study
from tests.support.prolific_standin import ProlificStandin


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> LoadedStudy:
    return tiny_study(store, tmp_path)


def finished_late(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> str:
    """A participant whose survey session completed after Prolific timed them out."""
    with store.session() as session:
        wave = session.query(WaveRow).one()
        wave_id, ref = wave.id, wave.platform_ref
    sub = standin.add_submission(ref, status="TIMED-OUT")
    sid = add_session(
        store,
        loaded.study_id,
        wave_id,
        argument_ids(store, loaded.study_id)[:2],
        platform_session=sub,
    )
    sync_fieldwork(store, loaded, platform)
    assert session_row(store, sid) == ("completed", "timed_out", "")  # kept, but not approvable
    return sub


def test_a_late_finisher_is_paid_the_reward_once(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    sub = finished_late(store, loaded, standin, platform)
    owed = owed_bonuses(store, loaded)
    assert owed == [
        Owed(f"timeout:{sub}", ref, sub, 250, "finished after the platform's time limit")
    ]
    run = pay_bonuses(store, loaded, platform, owed)
    assert (run.paid, run.problems) == ((f"timeout:{sub}",), ())
    assert [(s, a) for s, _, a in standin.state.paid] == [(sub, 250)]
    (setup,) = standin.calls("POST", "/bonus-payments/")
    assert setup.body == {"study_id": ref, "csv_bonuses": f"{sub},2.50"}
    assert owed_bonuses(store, loaded) == []
    assert pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded)).paid == ()
    assert len(standin.state.paid) == 1  # a re-run pays nobody again
    participant = standin.submission(sub)["participant_id"]
    with store.session() as session:
        stored = json.dumps([e.payload for e in session.query(EventRow).all()])
        stored += json.dumps([s.platform_session for s in session.query(SessionRow).all()])
    assert participant not in stored  # by submission id: no participant id is stored


def test_a_pay_call_of_unknown_outcome_is_never_sent_again(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    open_fieldwork(store, loaded, platform)
    finished_late(store, loaded, standin, platform)
    standin.fail_next(502, path="/pay/$", after=True)  # paid, but we hear 502
    run = pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert run.paid == ()
    assert run.problems[0].endswith(
        "may or may not have been paid (Prolific refused to pay the bonus payment "
        f"{run.problems[0].split()[2]} (HTTP 502): the stand-in was told to fail); it is never "
        "sent again: check the study's bonuses on the platform"
    )
    again = pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert again.problems and "no confirmation was recorded" in again.problems[0]
    assert len(standin.calls("POST", "/pay/$")) == 1
    assert len(standin.state.paid) == 1


def test_a_refused_pay_call_is_tried_again_next_run(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    open_fieldwork(store, loaded, platform)
    sub = finished_late(store, loaded, standin, platform)
    standin.fail_next(400, path="/pay/$")  # e.g. a balance too low: nothing was paid
    run = pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert run.paid == () and "run again later" in run.problems[0]
    assert standin.state.paid == []
    run = pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert (run.paid, run.problems) == ((f"timeout:{sub}",), ())
    assert len(standin.calls("POST", "/bonus-payments/")) == 1  # set up once
    assert [(s, a) for s, _, a in standin.state.paid] == [(sub, 250)]
