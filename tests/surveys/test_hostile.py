"""The red-team cases against a live link study: a flood of anonymous starts from several
loopback addresses, reservations that expire with nobody running `field sync`, forged
X-Forwarded-For headers, unicode digits and the anonymous participant who timed out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from fieldwork.server import create_server_app
from study.store import ArgumentRow, AssignmentRow, SessionRow, Store
from surveys.app import AppSettings
from surveys.bots import parse_page
from surveys.serve import serve_in_thread
from surveys.sessions import SurveyClosed, start
from tests.surveys.conftest import KEY, Fielded, field_study, study_text
from tests.surveys.test_app import enter, post, walk_to

ONE_MINUTE_HOLD = "[survey]\nhold_minutes = 1\n"


def eighty_places(store: Store, extra: str = "") -> Fielded:
    """The red team's study: 80 arguments at 3 ratings each, 3 items a participant: 80 places."""
    fielded = field_study(store, study_text("survey-test", extra))
    with store.session() as session:
        keep = session.scalars(select(ArgumentRow.id).order_by(ArgumentRow.id).limit(80)).all()
        session.execute(
            update(ArgumentRow).where(ArgumentRow.id.not_in(keep)).values(status="rejected")
        )
    return fielded


def holding_sessions(store: Store) -> int:
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count(func.distinct(AssignmentRow.session_id))).where(
                    AssignmentRow.status == "reserved"
                )
            )
            or 0
        )


@pytest.fixture
def served(store: Store) -> Iterator[tuple[Fielded, str]]:
    fielded = eighty_places(store)
    with serve_in_thread(store, AppSettings(key=KEY)) as base:
        yield fielded, base


def from_address(base: str, address: str) -> httpx.Client:
    """A client whose connections leave from `address` (any of 127.0.0.0/8 on Linux)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, timeout=30, follow_redirects=False)


def test_a_flood_of_anonymous_starts_holds_at_most_a_quarter_and_a_newcomer_is_served(
    served: tuple[Fielded, str],
) -> None:
    fielded, base = served
    outcomes: dict[int, int] = {}
    clients = [from_address(base, f"127.0.0.{i}") for i in range(2, 6)]
    for n in range(200):  # bounded: 50 starts from each of 4 addresses, each without cookies
        client = clients[n % 4]
        client.cookies.clear()
        status = client.get("/start/survey-test").status_code
        outcomes[status] = outcomes.get(status, 0) + 1
    assert outcomes == {303: 120, 429: 80}  # 30 a minute from each address
    assert holding_sessions(fielded.store) <= 80 // 4
    with from_address(base, "127.0.0.6") as newcomer:
        assert newcomer.get("/start/survey-test").status_code == 303
        consent = parse_page(newcomer.get("/survey"))
        assert consent.kind == "consent"
        answered = newcomer.post("/survey", data={"step": consent.step, "csrf": consent.csrf})
        assert answered.status_code == 303
        assert parse_page(newcomer.get("/survey")).kind == "before"
    for client in clients:
        client.close()


def test_an_expired_reservation_frees_its_place_without_field_sync(store: Store) -> None:
    eighty_places(store, ONE_MINUTE_HOLD)
    t0 = datetime.now(UTC)
    for i in range(80):
        started = start(store, "survey-test", f"p{i}", KEY, now=t0)
        with store.session() as session:  # each consents: these are not idle sessions
            session.execute(
                update(SessionRow).where(SessionRow.id == started.session_id).values(step=1)
            )
    with pytest.raises(SurveyClosed, match="All places in this study are taken"):
        start(store, "survey-test", "late", KEY, now=t0 + timedelta(seconds=30))
    served = start(store, "survey-test", "later", KEY, now=t0 + timedelta(seconds=61))
    assert not served.resumed
    with store.session() as session:
        mine = session.scalars(
            select(AssignmentRow.status).where(AssignmentRow.session_id == served.session_id)
        ).all()
    assert mine == ["reserved"] * 3


def test_an_active_participant_keeps_their_places_past_the_hold(store: Store) -> None:
    fielded = eighty_places(store, ONE_MINUTE_HOLD)
    app = create_server_app(store, AppSettings(key=KEY))
    with TestClient(app, follow_redirects=False) as client:
        page = walk_to(client, "before")
        heartbeat = client.post("/survey/heartbeat", data={"csrf": page.csrf})
        assert heartbeat.status_code == 204
        forged = client.post("/survey/heartbeat", data={"csrf": "x"})
        assert forged.status_code == 403
    with store.session() as session:
        until = session.scalars(select(AssignmentRow.reserved_until)).all()
    assert len(until) == 3 and fielded.study.survey.hold_minutes == 1
    assert all(u is not None for u in until)


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(store: Store) -> None:
    eighty_places(store)
    settings = AppSettings(key=KEY, starts_per_minute=5)

    def starts(base: str) -> list[int]:
        with httpx.Client(base_url=base, timeout=30) as client:
            out = []
            for i in range(12):
                client.cookies.clear()
                forged = {"X-Forwarded-For": f"10.0.0.{i}"}
                out.append(client.get("/start/survey-test", headers=forged).status_code)
            return out

    with serve_in_thread(store, settings) as base:
        direct = starts(base)
    assert direct.count(303) == 5 and direct.count(429) == 7
    with serve_in_thread(store, settings, forwarded_allow_ips="127.0.0.1") as base:
        proxied = starts(base)
    assert proxied == [303] * 12  # behind a trusted proxy: one key per real client


def test_unicode_digits_are_a_4xx_not_a_500(client: TestClient) -> None:
    consent = enter(client)
    for step in ("²", "٣", "0x1", "-0", " 0", "0" * 7):
        response = client.post("/survey", data={"step": step, "csrf": consent.csrf})
        assert response.status_code == 400, step
        assert parse_page(response).error == "invalid_step"
    before = walk_to(client, "before")
    response = post(client, before, rating="³")
    assert response.status_code == 400 and parse_page(response).error == "invalid_rating"


def test_an_anonymous_participant_who_timed_out_starts_again(client: TestClient) -> None:
    from surveys.assignment import release_expired

    assert client.get("/start/survey-test").status_code == 303
    first = client.cookies["ps_session"]
    walk_to(client, "before")
    store = client.app.state.store  # type: ignore[attr-defined]
    assert release_expired(store, datetime.now(UTC) + timedelta(hours=2)) == 3
    assert client.get("/survey").status_code == 410
    again = client.get("/start/survey-test")
    assert again.status_code == 303 and again.headers["location"] == "/survey?again=1"
    assert client.cookies["ps_session"] != first
    page = client.get("/survey?again=1")
    assert parse_page(page).kind == "consent"
    assert "Your earlier session timed out, so this is a new one." in page.text


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run: starting with a formula character and not a number."""
    return [c for row in cells(text) for c in row if c.startswith(FORMULA) and not is_number(c)]


def cells(path_text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(path_text)))


def test_no_exported_cell_starts_with_a_formula_character(store: Store, tmp_path: Path) -> None:
    import pandas as pd

    from analysis.export import export_table
    from arguments.review import export_arguments
    from fieldwork.dashboard import export_csv

    fielded = field_study(store)
    texts = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    with store.session() as session:
        ids = session.scalars(select(ArgumentRow.id).order_by(ArgumentRow.id).limit(6)).all()
        for argument_id, text in zip(ids, texts, strict=True):
            session.execute(
                update(ArgumentRow).where(ArgumentRow.id == argument_id).values(text=text)
            )
    out = tmp_path / "arguments.csv"
    export_arguments(store, "survey-test", out)
    exported = out.read_bytes().decode("utf-8")  # keeps the carriage return
    assert formula_cells(exported) == []
    assert {f"'{t}" for t in texts} <= {row[-1] for row in cells(exported)}
    assert "-1" in {row[12] for row in cells(exported)}  # direction -1 stays a number
    assert formula_cells(export_csv(store, "survey-test")) == []

    frame = pd.DataFrame({"persuasion": [-1, 2], "effect": [-0.5, 0.25], "note": ["-x", "ok"]})
    back = pd.read_csv(export_table(frame, tmp_path / "table.csv"))
    assert back["persuasion"].tolist() == [-1, 2]  # numbers stay numbers
    assert back["effect"].tolist() == [-0.5, 0.25]
    assert back["note"].tolist() == ["'-x", "ok"]
    assert fielded.study_id > 0
