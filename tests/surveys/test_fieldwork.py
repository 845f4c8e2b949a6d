"""Fieldwork on real stores (SQLite and PostgreSQL) with Prolific's loopback stand-in: open
(plan, create, publish), sync (release, review, add places, close on quota), close, status."""

from datetime import timedelta
from pathlib import Path

import pytest

from fieldwork.platforms import PlatformError, get_platform
from fieldwork.platforms.prolific import ProlificPlatform
from fieldwork.sync import (
    close_fieldwork,
    open_fieldwork,
    release_expired,
    sync_fieldwork,
    wave_status,
)
from study.config import Recruitment
from study.loading import LoadedStudy
from study.store import Store
from study.store.models import utcnow
from study.store.repo import current_wave
from tests.support.field_data import (
    add_session,
    argument_ids,
    assignment_statuses,
    session_row,
    tiny_study,
)
from tests.support.prolific_standin import ProlificStandin


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every fieldwork test runs on a real SQLite file and a real PostgreSQL server."""
    return any_store


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> LoadedStudy:
    return tiny_study(store, tmp_path)


def wave_id(store: Store, loaded: LoadedStudy) -> int:
    with store.session() as session:
        wave = current_wave(session, loaded.study_id)
        assert wave is not None
        return wave.id


def test_open_plans_creates_and_publishes_once(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    status = open_fieldwork(store, loaded, platform)
    again = open_fieldwork(store, loaded, platform)
    assert (status.wave, status.status, again.platform_ref) == (1, "open", status.platform_ref)
    (create,) = standin.calls("POST", "/studies/$")
    assert len(standin.calls("POST", "/studies/.+/transition/")) == 1
    # 4 arguments x 2 ratings, 2 items each: 4 places; reward in pence
    assert (create.body["total_available_places"], create.body["reward"]) == (4, 250)
    assert create.body["external_study_url"].startswith("https://survey.example.org/s/tiny?")
    assert standin.state.studies[status.platform_ref]["status"] == "ACTIVE"


def test_failed_publish_resumes_with_the_same_draft(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref_holder = []
    original = platform.publish

    def broken(ref: str) -> None:
        ref_holder.append(ref)
        raise PlatformError("Prolific refused to publish the study (HTTP 400): balance too low")

    platform.publish = broken  # type: ignore[method-assign]
    with pytest.raises(PlatformError, match="balance too low"):
        open_fieldwork(store, loaded, platform)
    platform.publish = original  # type: ignore[method-assign]
    status = open_fieldwork(store, loaded, platform)
    assert status.platform_ref == ref_holder[0]
    assert len(standin.calls("POST", "/studies/$")) == 1
    assert standin.state.studies[status.platform_ref]["status"] == "ACTIVE"


def test_sync_reviews_every_submission_by_the_rules(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    sub = {"timed": standin.add_submission(ref, status="TIMED-OUT")}
    sub["gone"] = standin.add_submission(ref, status="RETURNED")
    sub |= {k: standin.add_submission(ref) for k in ("good", "failed", "expired", "orphan")}
    # one more who reserved a place just before the others finished
    sub["active"] = standin.add_submission(ref, status="ACTIVE", check=False)
    good = add_session(store, loaded.study_id, wid, args[:2], platform_session=sub["good"])
    failed = add_session(
        store, loaded.study_id, wid, args[2:], platform_session=sub["failed"], failed_checks=2
    )
    expired = add_session(
        store,
        loaded.study_id,
        wid,
        args[:2],
        platform_session=sub["expired"],
        status="active",
        reserved_until=utcnow() - timedelta(minutes=1),
    )
    timed = add_session(store, loaded.study_id, wid, args[2:], platform_session=sub["timed"])
    gone = add_session(
        store, loaded.study_id, wid, args[2:], platform_session=sub["gone"], status="active"
    )
    status = sync_fieldwork(store, loaded, platform)

    assert status.problems == ()
    assert status.released == 2
    assert assignment_statuses(store, expired) == ["released", "released"]
    assert standin.submission(sub["good"])["status"] == "APPROVED"
    assert standin.submission(sub["failed"])["status"] == "REJECTED"
    assert standin.submission(sub["expired"])["return_requested"]
    assert standin.submission(sub["orphan"])["return_requested"]
    assert standin.submission(sub["timed"])["status"] == "TIMED-OUT"
    (reject,) = standin.calls("POST", f"/submissions/{sub['failed']}/transition/")
    assert reject.body["rejection_category"] == "FAILED_CHECK"
    assert session_row(store, good) == ("completed", "approved", "")
    assert session_row(store, failed) == ("completed", "rejected", "failed_attention_checks")
    assert session_row(store, expired) == ("timed_out", "return_requested", "incomplete")
    assert session_row(store, timed) == ("completed", "timed_out", "")
    assert session_row(store, gone) == ("returned", "returned", "returned")
    assert assignment_statuses(store, gone) == ["released", "released"]
    assert standin.calls("POST", f"/submissions/{sub['timed']}/") == []
    assert standin.calls("POST", f"/submissions/{sub['active']}/") == []

    posts = len(standin.calls("POST", "/submissions/"))
    sync_fieldwork(store, loaded, platform)
    assert len(standin.calls("POST", "/submissions/")) == posts  # nothing is sent twice


def test_platform_refusal_is_reported_and_the_rest_goes_on(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    first, second, third = (standin.add_submission(ref) for _ in range(3))
    s1 = add_session(store, loaded.study_id, wid, args[:2], platform_session=first)
    s2 = add_session(store, loaded.study_id, wid, args[2:], platform_session=second)
    s3 = add_session(store, loaded.study_id, wid, args[2:], platform_session=third, failed_checks=2)
    standin.fail_next(400, path="/bulk-approve/")
    status = sync_fieldwork(store, loaded, platform)
    assert status.problems == (
        "approving 2 submissions: Prolific refused to approve 2 submissions (HTTP 400): the "
        "stand-in was told to fail",
    )
    assert (session_row(store, s1)[1], session_row(store, s2)[1]) == ("", "")  # next sync
    assert session_row(store, s3)[1] == "rejected"  # the rest went on
    assert sync_fieldwork(store, loaded, platform).problems == ()
    assert (session_row(store, s1)[1], session_row(store, s2)[1]) == ("approved", "approved")
    assert standin.submission(first)["status"] == "APPROVED"


def test_quota_met_closes_the_wave_and_stops_the_study(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    for part in (args[:2], args[2:], args[:2], args[2:]):
        add_session(store, loaded.study_id, wid, part, platform_session=standin.add_submission(ref))
    status = sync_fieldwork(store, loaded, platform)
    assert (status.status, status.arguments_done, status.ratings) == ("closed", 4, 8)
    assert status.sessions["review:approved"] == 4
    assert standin.state.studies[ref]["status"] == "COMPLETED"
    late = standin.add_submission(ref, check=False)  # started before the study stopped
    add_session(store, loaded.study_id, wid, args[:2], platform_session=late, failed_checks=2)
    sync_fieldwork(store, loaded, platform)
    assert standin.submission(late)["status"] == "REJECTED"
    with pytest.raises(ValueError) as err:
        close_fieldwork(store, loaded, platform)
    assert str(err.value) == (
        "study 'tiny' has no open wave to close (last wave: 1, closed); open one with "
        "`persuasion field open tiny`"
    )
    assert open_fieldwork(store, loaded, platform).status == "closed"


def test_close_before_quota_needs_force(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    with pytest.raises(ValueError) as err:
        close_fieldwork(store, loaded, platform)
    assert str(err.value) == (
        "wave 1 of study 'tiny' is not complete: 0 of 4 arguments have 2 ratings; keep syncing "
        "(`persuasion field sync tiny`) or close it anyway with --force"
    )
    assert close_fieldwork(store, loaded, platform, force=True).status == "closed"
    assert standin.state.studies[ref]["status"] == "COMPLETED"


def test_release_expired_frees_only_expired_reservations(store: Store, loaded: LoadedStudy) -> None:
    platform = get_platform("link", Recruitment(platform="link", survey_url="https://x.org"))
    open_fieldwork(store, loaded, platform)
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    now = utcnow()
    old = add_session(
        store,
        loaded.study_id,
        wid,
        args[:2],
        status="active",
        reserved_until=now - timedelta(seconds=1),
    )
    fresh = add_session(
        store,
        loaded.study_id,
        wid,
        args[2:],
        status="active",
        reserved_until=now + timedelta(minutes=5),
    )
    done = add_session(store, loaded.study_id, wid, args[:2])
    assert release_expired(store, loaded.study_id, now) == 2
    assert release_expired(store, loaded.study_id, now) == 0
    assert (session_row(store, old)[0], assignment_statuses(store, old)) == (
        "timed_out",
        ["released", "released"],
    )
    assert assignment_statuses(store, fresh) == ["reserved", "reserved"]
    assert session_row(store, fresh)[0] == "active"
    assert assignment_statuses(store, done) == ["completed", "completed"]


def test_link_platform_marks_exclusions_without_a_platform(store: Store, tmp_path: Path) -> None:
    loaded = tiny_study(store, tmp_path, platform="link", name="linked")
    status = open_fieldwork(store, loaded)
    assert status.platform_ref == "https://survey.example.org/s/linked"
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    fast = add_session(store, loaded.study_id, wid, args[:2], reading_ms=1000)
    ok = add_session(store, loaded.study_id, wid, args[2:])
    going = add_session(store, loaded.study_id, wid, args[:2], status="active")
    sync_fieldwork(store, loaded)
    assert session_row(store, fast) == ("completed", "checked", "read_too_fast")
    assert session_row(store, ok) == ("completed", "checked", "")
    assert session_row(store, going) == ("active", "", "")


def test_simulated_panel_answers_inline_and_closes(store: Store, tmp_path: Path) -> None:
    loaded = tiny_study(store, tmp_path, platform="simulated", name="sim")
    open_fieldwork(store, loaded)
    status = sync_fieldwork(store, loaded)
    assert (status.status, status.arguments_done) == ("closed", 4)
    assert wave_status(store, loaded).ratings >= 8


def test_prolific_study_without_survey_url_names_the_key() -> None:
    from study.config import StudyFileError, parse_study
    from study.examples import example_study_text

    text = example_study_text("s").replace('platform = "simulated"', 'platform = "prolific"')
    with pytest.raises(StudyFileError) as err:
        parse_study(text, "s.toml")
    assert str(err.value) == (
        "s.toml: recruitment: recruitment.platform = 'prolific' needs recruitment.survey_url, "
        'the address of the survey app (for example "https://survey.example.org/s")'
    )


def test_sync_adds_places_when_the_places_left_cannot_meet_the_quota(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_fieldwork(store, loaded, platform).platform_ref
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    assert standin.state.studies[ref]["total_available_places"] == 4

    def participant() -> None:  # one more person who rated the first two arguments
        sub = standin.add_submission(ref)
        add_session(store, loaded.study_id, wid, args[:2], platform_session=sub)

    for _ in range(2):
        participant()
    sync_fieldwork(store, loaded, platform)
    assert standin.calls("PATCH", "/studies/") == []  # 2 places left for the 2 still needed
    for _ in range(2):  # two more who rated the same two again
        participant()
    status = sync_fieldwork(store, loaded, platform)
    (patch,) = standin.calls("PATCH", "/studies/")
    assert patch.body == {"total_available_places": 6}
    assert (status.problems, standin.state.studies[ref]["total_available_places"]) == ((), 6)
    sync_fieldwork(store, loaded, platform)
    assert len(standin.calls("PATCH", "/studies/")) == 1  # the new places are counted


def test_excluded_ratings_do_not_count_and_their_items_go_back_to_the_pool(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    from surveys.assignment import candidates

    ref = open_fieldwork(store, loaded, platform).platform_ref
    wid, args = wave_id(store, loaded), argument_ids(store, loaded.study_id)
    fast = add_session(
        store,
        loaded.study_id,
        wid,
        args[:2],
        platform_session=standin.add_submission(ref),
        reading_ms=1000,  # under half the minimum reading time: paid, but excluded
    )
    for part in (args[2:], args[:2], args[2:]):
        add_session(store, loaded.study_id, wid, part, platform_session=standin.add_submission(ref))
    status = sync_fieldwork(store, loaded, platform)
    assert session_row(store, fast) == ("completed", "approved", "read_too_fast")
    assert assignment_statuses(store, fast) == ["excluded", "excluded"]
    assert (status.status, status.arguments_done, status.ratings) == ("open", 2, 6)
    with store.session() as session:
        fill = {c.argument_id: c.fill for c in candidates(session, loaded.study_id)}
    assert [fill[a] for a in args] == [1, 1, 2, 2]
    # the missing place was added before the approvals, so the study did not complete
    assert standin.calls("PATCH", "/studies/")[0].body == {"total_available_places": 5}
    assert standin.study(ref)["status"] == "ACTIVE"
    assert [standin.submission(s.id)["status"] for s in platform.submissions(ref)] == [
        "APPROVED"
    ] * 4
