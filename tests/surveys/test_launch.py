"""Launch safety on a real store with Prolific's stand-in: the preflight's figures, the refusals
(placeholders, unreviewed arguments, empty human slots), `allow_missing_humans` recorded for the
report, and a pilot wave kept apart from the analysis whose participants the next wave keeps out."""

from pathlib import Path

import pytest

from analysis import read_registration
from analysis.preregistration import report_deviations
from fieldwork import LaunchRefused, launch_preflight, open_fieldwork, sync_fieldwork
from fieldwork.platforms.prolific import ProlificPlatform
from fieldwork.preflight import http_probe
from study.loading import LoadedStudy
from study.store import ArgumentRow, EventRow, Store, WaveRow
from tests.support.field_data import add_session, argument_ids, session_row, tiny_study
from tests.support.prolific_standin import ProlificStandin
from tests.support.survey_site import survey_site


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> LoadedStudy:
    return tiny_study(store, tmp_path)


def drop_argument(store: Store, loaded: LoadedStudy) -> None:
    with store.session() as session:
        row = session.query(ArgumentRow).filter_by(study_id=loaded.study_id).first()
        assert row is not None
        session.delete(row)


def test_the_probe_asks_head_then_get_and_names_what_went_wrong() -> None:
    with survey_site(head_allowed=False) as site:
        assert http_probe(site.url) == ""
        assert site.seen == ["HEAD", "GET"]
        site.status = 404
        assert http_probe(site.url) == "answered HTTP 404"
    assert http_probe(site.url, timeout=2).startswith("cannot be reached (ConnectError")


def test_unreviewed_arguments_are_refused_and_nothing_is_created(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ids = argument_ids(store, loaded.study_id)
    with store.session() as session:
        row = session.get(ArgumentRow, ids[1])
        assert row is not None
        row.status = "flagged"
    with pytest.raises(LaunchRefused) as err:
        open_fieldwork(store, loaded, platform)
    assert str(err.value).startswith(
        f"1 arguments are flagged by the quality checks or await review (ids {ids[1]}); review "
        "them (`persuasion arguments show ID`)"
    )
    assert standin.requests == []
    with store.session() as session:
        assert session.query(WaveRow).count() == 0  # no wave was opened either


def test_missing_humans_need_the_override_which_is_recorded(
    store: Store, loaded: LoadedStudy, platform: ProlificPlatform
) -> None:
    drop_argument(store, loaded)
    with pytest.raises(LaunchRefused, match=r"1 human writer slots have no reviewed argument"):
        open_fieldwork(store, loaded, platform)
    pf = launch_preflight(store, loaded, 3, allow_missing_humans=True, probe=lambda _: "")
    assert pf is not None and pf.blockers == ()
    assert "  human writer slots missing: 1 (allowed by --allow-missing-humans)" in pf.lines
    status = open_fieldwork(store, loaded, platform, allow_missing_humans=True)
    assert status.status == "open"
    with store.session() as session:
        (event,) = session.query(EventRow).filter_by(kind="wave.missing_humans").all()
        registration = read_registration(session, loaded.study_id)
    assert event.payload == {"wave": 1, "slots": ["a-support by human #1"]}
    assert (
        "wave 1 was opened with 1 human writer slots without a reviewed argument "
        "(--allow-missing-humans): fewer human arguments than planned"
    ) in report_deviations(registration, registration.document)


def test_a_pilot_is_kept_apart_and_its_participants_kept_out_of_the_next_wave(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    pilot = open_fieldwork(store, loaded, platform, pilot=1)
    ref = pilot.platform_ref
    assert standin.study(ref)["total_available_places"] == 1
    assert standin.study(ref)["internal_name"] == "tiny wave 1 pilot"
    with store.session() as session:
        wave_id = session.query(WaveRow).one().id
    args = argument_ids(store, loaded.study_id)
    sid = add_session(
        store, loaded.study_id, wave_id, args[:2], platform_session=standin.add_submission(ref)
    )
    status = sync_fieldwork(store, loaded, platform)
    assert session_row(store, sid) == ("completed", "approved", "pilot")
    assert (status.status, status.ratings) == ("closed", 0)  # the pilot's ratings are apart
    assert standin.study(ref)["status"] == "COMPLETED"
    main = open_fieldwork(store, loaded, platform)
    assert (main.wave, main.status) == (2, "open")
    assert standin.study(main.platform_ref)["filters"] == [
        {"filter_id": "previous_studies_blocklist", "selected_values": [ref]}
    ]
    assert standin.study(main.platform_ref)["total_available_places"] == 4
