"""A follow-up on Prolific, end to end over HTTP: the original wave's participants take the
survey in the app, the follow-up study admits only them (an allowlist built from the original
study's submissions, matched through the keyed hash), they answer the follow-up page, and the
sync approves exactly the submissions whose answers are stored. No raw id is stored."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from claims import load_claim_set
from fieldwork.follow_up import open_follow_up, sync_follow_ups
from fieldwork.platforms.prolific import ProlificPlatform
from fieldwork.server import create_server_app
from fieldwork.sync import publish_request
from study import LoadedStudy
from study.store import FollowUpRatingRow, Store, WaveRow, close_wave, utcnow
from surveys import follow_up_code, load_secret
from surveys.app import AppSettings
from surveys.bots import Bot, Oracle, parse_page
from tests.support.prolific_standin import ProlificStandin
from tests.surveys.conftest import field_study, study_text

PROLIFIC = """
[recruitment]
platform = "prolific"
survey_url = "https://survey.example.org/start/pf"
reward = 300
estimated_minutes = 15

[follow_up]
after_days = 30
"""
PEOPLE = ("PPP0001", "PPP0002", "PPP0003")


def fielded_on_prolific(store: Store, platform: ProlificPlatform) -> tuple[LoadedStudy, str]:
    fielded = field_study(store, study_text("pf", PROLIFIC))
    loaded = LoadedStudy(fielded.study, load_claim_set("default"), fielded.study_id)
    ref = platform.create(publish_request(loaded, 10, 1))
    platform.publish(ref)
    with store.session() as session:
        wave = session.get_one(WaveRow, fielded.wave_id)
        wave.platform, wave.platform_ref = "prolific", ref
    return loaded, ref


def test_prolific_follow_up_admits_only_the_original_participants(
    store: Store, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    loaded, ref = fielded_on_prolific(store, platform)
    key = load_secret(store.url)  # the survey app and fieldwork share the store's secret
    app = create_server_app(store, AppSettings(key=key))
    oracle = Oracle(store, "pf", key)
    for i, pid in enumerate(PEOPLE):
        with TestClient(app, follow_redirects=False) as client:
            assert Bot(client, oracle, pid, seed=i, probe=False).run("pf").completed
        standin.add_submission(ref, submission_id=f"S{i}", participant_id=pid)
    standin.add_submission(ref, "RETURNED", "S9", participant_id="PPP0009")  # not in the store
    with store.session() as session:
        close_wave(session, session.get_one(WaveRow, 1), utcnow() - timedelta(days=31))
    status = open_follow_up(store, loaded, 1, platform, probe=lambda url: "")
    [create] = [
        r for r in standin.calls("POST", r"/studies/$") if "follow-up" in r.body["internal_name"]
    ]
    assert create.body["filters"] == [
        {"filter_id": "custom_allowlist", "selected_values": list(PEOPLE)}
    ]
    assert create.body["total_available_places"] == 3
    assert create.body["reward"] == 45
    assert create.body["external_study_url"].startswith("https://survey.example.org/follow-up/pf?")
    assert (status.wave, status.status, status.invited, status.completed) == (2, "open", 3, 0)
    follow_ref = status.platform_ref
    assert platform.state(follow_ref).status == "ACTIVE"

    again = open_follow_up(store, loaded, 1, platform, probe=lambda url: "")
    assert again.platform_ref == follow_ref
    assert len(standin.calls("POST", r"/studies/$")) == 2  # the original and one follow-up

    with TestClient(app, follow_redirects=False) as client:
        address = client.get("/follow-up/pf")  # what the preflight probes: it answers
        assert address.status_code == 200 and parse_page(address).error == "open_from_platform"
        bad = client.get("/follow-up/pf?PROLIFIC_PID=<script>")
        assert bad.status_code == 400 and parse_page(bad).error == "missing_participant_id"
        outsider = client.get("/follow-up/pf?PROLIFIC_PID=PPP0009&SESSION_ID=X")
        assert outsider.status_code == 403 and parse_page(outsider).error == "not_invited"
        enter = client.get("/follow-up/pf?PROLIFIC_PID=PPP0001&SESSION_ID=F1")
        assert enter.status_code == 303
        url = enter.headers["location"]
        page = client.get(url)
        assert page.status_code == 200 and "argument" not in page.text.lower()
        names = sorted(set(_radio_names(page.text)))
        assert len(names) == 3
        csrf = _csrf(page.text)
        partial = client.post(url, data={"csrf": csrf, names[0]: "5"})
        assert partial.status_code == 400 and parse_page(partial).error == "missing_rating"
        forged = client.post(url, data={"csrf": "x", **dict.fromkeys(names, "5")})
        assert forged.status_code == 403
        assert client.post(url, data={"csrf": csrf, **dict.fromkeys(names, "6")}).status_code == 303
        assert client.post(url, data={"csrf": csrf, **dict.fromkeys(names, "1")}).status_code == 303
        done = client.get(url)
        assert parse_page(done).code == follow_up_code(loaded.study)
    with store.session() as session:
        assert sorted(r.support for r in session.scalars(select(FollowUpRatingRow))) == [6, 6, 6]

    standin.add_submission(follow_ref, submission_id="F1", participant_id="PPP0001")
    standin.add_submission(follow_ref, submission_id="F2", participant_id="PPP0002")
    [synced] = sync_follow_ups(store, loaded, platform)
    assert standin.submission("F1")["status"] == "APPROVED"
    assert standin.submission("F2")["status"] == "AWAITING REVIEW"  # no answers stored
    assert (synced.completed, synced.status) == (1, "open")
    raw = (store.url.split(":///", 1)[1]).encode()
    data = open(raw, "rb").read()  # noqa: SIM115
    assert not any(pid.encode() in data for pid in (*PEOPLE, "PPP0009"))


def _radio_names(html: str) -> list[str]:
    import re

    return re.findall(r'name="(rating-\d+)"', html)


def _csrf(html: str) -> str:
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)
