"""Acceptance: human writers recruited like raters, against the documented Prolific stand-in. A
writing wave is its own study (reward, time limit, completion code, filters), created once even
after a 502, shown in a preflight; writers come from Prolific to the real writing pages, which
end with the writing study's code; the rating wave refuses to open while a writer slot has no
reviewed text; a sync approves writers whose text was approved, rejects (category and message)
the one whose text was rejected, asks the one who wrote nothing to return, opens a new task for
the rejected slot with a place for it, resumes the study Prolific paused; writers' pay and the
prize for the most persuasive human argument are paid once by submission id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from common import UsageError
from fieldwork import LaunchRefused, open_fieldwork, open_writing, sync_fieldwork
from fieldwork.payments import owed_bonuses, pay_bonuses
from fieldwork.platforms import Submission, SubmissionStatus
from fieldwork.platforms.prolific import ProlificClient, ProlificPlatform
from fieldwork.prize import prize_choice
from fieldwork.server import create_server_app
from fieldwork.writing_sync import Written
from fieldwork.writing_sync import decide as decide_writing
from fieldwork.writing_wave import writing_preflight, writing_status
from study import LoadedStudy, load_and_register
from study.store import (
    AssignmentRow,
    EventRow,
    ParticipantRow,
    RatingRow,
    Store,
    WritingTaskRow,
    open_wave,
)
from surveys import decide, writing_completion_code
from surveys.app import AppSettings
from tests.support.field_data import CLAIMS, add_session
from tests.support.prolific_standin import ProlificStandin, prolific_standin

KEY = b"w" * 32
STUDY = """\
[study]
name = "penned"
claims = "tiny.yaml"

[[writers]]
id = "human"
kind = "human"

[arguments]
words_min = 5
words_max = 60

[participants]
per_argument = 2
items_per_participant = 2

[recruitment]
platform = "prolific"
survey_url = "https://survey.example.org/start/penned"
reward = 250

[human_writing]
reward = 500
estimated_minutes = 30
claim_minutes = 60
pay = 150
prize = 2000
"""
TEXT = "Cities should plant more trees because shade cools streets and saves energy."


@pytest.fixture
def store(any_store: Store) -> Store:
    """SQLite and PostgreSQL."""
    return any_store


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> LoadedStudy:
    (tmp_path / "tiny.yaml").write_text(CLAIMS)
    (tmp_path / "penned.toml").write_text(STUDY)
    return load_and_register(store, str(tmp_path / "penned.toml"))


@pytest.fixture
def standin() -> Iterator[ProlificStandin]:
    with prolific_standin(token="sekret", page_size=2, links="root") as s:
        yield s


@pytest.fixture
def platform(standin: ProlificStandin) -> ProlificPlatform:
    return ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))


def write(app: TestClient, study_ref: str, submission: str, pid: str, text: str | None) -> str:
    """A writer from Prolific takes a task and (unless `text` is None) submits a text; returns
    the page they end on."""
    start = app.get(
        f"/write/start/penned?PROLIFIC_PID={pid}&STUDY_ID={study_ref}&SESSION_ID={submission}"
    )
    assert start.status_code == 303
    page = app.get("/write")
    if text is None:
        return page.text
    csrf = re.search(r'name="csrf" value="(\w+)"', page.text)
    assert csrf is not None
    done = app.post("/write", data={"csrf": csrf.group(1), "text": text, "pastes": "0"})
    assert done.status_code == 303
    return app.get("/write").text


def test_the_writing_preflight_shows_the_cost_and_the_writing_address(
    store: Store, loaded: LoadedStudy
) -> None:
    asked: list[str] = []
    pf = writing_preflight(store, loaded, probe=lambda url: asked.append(url) or "")
    assert pf.blockers == ()
    assert pf.places == 4
    assert pf.lines[:4] == (
        "Preflight: writing study of penned on prolific",
        "  places: 4",
        "  reward: £5.00 per writer for 30 minutes (£10.00 an hour; Prolific's minimum £6.00, "
        "recommended £9.00)",
        "  pay: £1.50 bonus per approved text; prize: £20.00 for the most persuasive human "
        "argument",
    )
    assert pf.lines[4] == (
        "  cost: £20.00 rewards + £6.00 pay + £20.00 prize + £15.32 fees (estimate at 33.3%) "
        "= £61.32 at most"
    )
    assert asked == ["https://survey.example.org/write/start/penned"]


def test_slots_already_filled_by_an_import_recruit_nobody(
    store: Store, loaded: LoadedStudy, tmp_path: Path
) -> None:
    from arguments import import_human_arguments

    csv = tmp_path / "writers.csv"
    csv.write_text("claim,writer,text\na-support,human," + TEXT + "\n")
    import_human_arguments(store, loaded.study, loaded.study_id, csv)
    pf = writing_preflight(store, loaded, probe=lambda url: "")
    assert (pf.places, pf.lines[1]) == (3, "  places: 3")


def test_a_writing_wave_from_preflight_to_prize(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    standin.fail_next(502, path="/studies/$", method="POST", after=True)
    status = open_writing(store, loaded, platform, 4)
    ref = status.platform_ref
    assert list(standin.state.studies) == [ref]  # one study despite the 502
    created = standin.study(ref)
    code = writing_completion_code(loaded.study)
    assert [c["code"] for c in created["completion_codes"]] == [code]
    assert (created["reward"], created["maximum_allowed_time"]) == (500, 60)
    assert created["external_study_url"].startswith(
        "https://survey.example.org/write/start/penned?PROLIFIC_PID="
    )
    assert created["status"] == "ACTIVE"

    app = TestClient(create_server_app(store, AppSettings(key=KEY)), follow_redirects=False)
    subs = [standin.add_submission(ref, status="ACTIVE") for _ in range(4)]
    pages = [write(app, ref, subs[i], f"writer{i}", TEXT + f" Reason {i}.") for i in range(3)]
    assert 'data-page="written"' in pages[0]
    assert code in pages[0] and f"submissions/complete?cc={code}" in pages[0]
    write(app, ref, subs[3], "writer3", None)  # took a task and wrote nothing
    for sub in subs:
        standin.set_status(sub, "AWAITING REVIEW")

    with pytest.raises(LaunchRefused, match="human writer slots have no reviewed argument"):
        open_fieldwork(store, loaded, platform, without_preregistration=True)

    texts = _texts(store)
    decide(store, "penned", texts[0], "approve")
    decide(store, "penned", texts[1], "approve")
    decide(store, "penned", texts[2], "reject", reason="it argues against the claim")
    first = sync_fieldwork(store, loaded, platform)
    assert first.problems == ()
    assert [standin.submission(s)["status"] for s in subs[:3]] == [
        "APPROVED",
        "APPROVED",
        "REJECTED",
    ]
    (reject,) = standin.calls("POST", f"/submissions/{subs[2]}/transition/")
    assert reject.body["rejection_category"] == "FAILED_INSTRUCTIONS"
    assert "it argues against the claim" in reject.body["message"]
    assert standin.submission(subs[3])["return_requested"]
    # the rejected slot got a new task and the study a place for it; Prolific paused the full
    # study when it lost the rejected submission, and the sync started it again
    assert standin.study(ref)["total_available_places"] == 5
    assert standin.study(ref)["status"] == "ACTIVE"
    actions = [c.body["action"] for c in standin.calls("POST", f"/studies/{ref}/transition/")]
    assert actions == ["PUBLISH", "START"]
    assert _task_statuses(store).count("open") == 1

    standin.set_status(subs[3], "RETURNED")
    sync_fieldwork(store, loaded, platform)
    assert _task_statuses(store).count("open") == 2  # the writer who wrote nothing gave it back
    assert sync_fieldwork(store, loaded, platform).problems == ()
    assert len(standin.calls("POST", "/bulk-approve/")) == 1  # nobody reviewed twice

    for _ in range(2):
        pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert sorted((s, a) for s, _, a in standin.state.paid) == sorted(
        [(subs[0], 150), (subs[1], 150)]
    )

    rating = open_fieldwork(
        store, loaded, platform, allow_missing_humans=True, without_preregistration=True
    )
    blocked = [
        f["selected_values"]
        for f in standin.study(rating.platform_ref)["filters"]
        if f["filter_id"] == "previous_studies_blocklist"
    ]
    assert blocked == [[ref]]  # writers do not rate

    _rate(store, loaded, {texts[0]: 1, texts[1]: 3})
    owed, ranking = prize_choice(store, loaded)
    assert [c.argument for c in ranking[:2]] == [texts[1], texts[0]]
    assert (owed.submission, owed.amount) == (subs[1], 2000)
    pay_bonuses(store, loaded, platform, [owed])
    with pytest.raises(UsageError, match="already set up; it is never paid twice"):
        prize_choice(store, loaded)
    assert [(s, a) for s, _, a in standin.state.paid].count((subs[1], 2000)) == 1

    raw = [s["participant_id"] for s in standin.state.submissions.values()]
    with store.session() as session:
        stored = " ".join(str(e.payload) for e in session.scalars(select(EventRow)))
        stored += " ".join(session.scalars(select(ParticipantRow.platform_id_hash)))
        stored += " ".join(session.scalars(select(WritingTaskRow.platform_session)))
    assert not [p for p in raw if p in stored]


def test_a_writer_timed_out_after_saving_an_approved_text_is_paid_the_reward_as_a_bonus(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_writing(store, loaded, platform, 4).platform_ref
    app = TestClient(create_server_app(store, AppSettings(key=KEY)), follow_redirects=False)
    sub = standin.add_submission(ref, status="ACTIVE")
    write(app, ref, sub, "late-writer", TEXT)
    standin.set_status(sub, "TIMED-OUT")
    decide(store, "penned", _texts(store)[0], "approve")
    assert sync_fieldwork(store, loaded, platform).problems == ()
    assert standin.calls("POST", "/bulk-approve/") == []  # a timed-out submission is not approved
    owed = owed_bonuses(store, loaded)
    assert [(o.key, o.submission, o.amount) for o in owed] == [(f"writer:{sub}", sub, 650)]
    for _ in range(2):
        pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
    assert [(s, a) for s, _, a in standin.state.paid] == [(sub, 650)]


def test_the_writing_wave_closes_once_every_slot_has_an_approved_text(
    store: Store, loaded: LoadedStudy, standin: ProlificStandin, platform: ProlificPlatform
) -> None:
    ref = open_writing(store, loaded, platform, 4).platform_ref
    app = TestClient(create_server_app(store, AppSettings(key=KEY)), follow_redirects=False)
    for i in range(4):
        sub = standin.add_submission(ref, status="ACTIVE")
        write(app, ref, sub, f"w{i}", TEXT)
        standin.set_status(sub, "AWAITING REVIEW")
    assert writing_status(store, loaded).status == "open"
    for argument in _texts(store):
        decide(store, "penned", argument, "approve")
    assert sync_fieldwork(store, loaded, platform).problems == ()
    assert writing_status(store, loaded).status == "closed"
    assert standin.study(ref)["status"] == "COMPLETED"  # by itself: every place approved
    actions = [c.body["action"] for c in standin.calls("POST", f"/studies/{ref}/transition/")]
    assert actions == ["PUBLISH"]  # no STOP sent to the completed study
    assert all(standin.submission(s)["status"] == "APPROVED" for s in standin.state.submissions)


def _texts(store: Store) -> list[int]:
    with store.session() as session:
        return list(
            session.scalars(
                select(WritingTaskRow.argument_id)
                .where(WritingTaskRow.argument_id.is_not(None))
                .order_by(WritingTaskRow.argument_id)
            )
        )


def _task_statuses(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(WritingTaskRow.status).order_by(WritingTaskRow.id)))


def _rate(store: Store, loaded: LoadedStudy, shift: dict[int, int]) -> None:
    """Two kept ratings of each argument, moved by `shift` points toward it."""
    with store.session() as session:
        wave_id = open_wave(session, loaded.study_id, "prolific", 2).id
    for argument, points in shift.items():
        for _ in range(2):
            add_session(store, loaded.study_id, wave_id, [argument])
        with store.session() as session:
            ids = session.scalars(
                select(RatingRow.id)
                .join(AssignmentRow, AssignmentRow.id == RatingRow.assignment_id)
                .where(AssignmentRow.argument_id == argument)
            ).all()
            for rid in ids:
                session.get_one(RatingRow, rid).after = 3 + points


@pytest.mark.parametrize(
    ("status", "task", "action"),
    [
        ("awaiting_review", Written(1, "submitted", "", "ok", ""), "approve"),
        ("awaiting_review", Written(1, "submitted", "", "rejected", "off topic"), "reject"),
        ("awaiting_review", Written(1, "submitted", "", "pending_review", ""), None),
        ("awaiting_review", Written(1, "assigned", "", "", ""), "return"),
        ("awaiting_review", None, "return"),
        ("awaiting_review", Written(1, "submitted", "approved", "ok", ""), None),
        ("returned", Written(1, "assigned", "", "", ""), "release"),
        ("timed_out", Written(1, "assigned", "", "", ""), "release"),
        ("timed_out", Written(1, "submitted", "", "ok", ""), "timed_out"),
        ("timed_out", Written(1, "submitted", "", "rejected", "x"), None),
        ("active", Written(1, "assigned", "", "", ""), None),
    ],
)
def test_each_writing_submission_gets_the_decision_its_text_calls_for(
    status: SubmissionStatus, task: Written | None, action: str | None
) -> None:
    decision = decide_writing(Submission("s1", "p1", status), task)
    assert (decision.action if decision else None) == action
    if action == "reject":
        assert decision is not None and "off topic" in decision.message
        assert len(decision.message) >= 100  # Prolific's minimum for a rejection message
