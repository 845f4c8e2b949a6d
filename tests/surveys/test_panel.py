"""The simulated platform's panel over HTTP, the plain functions the fieldwork side calls, and
the researcher dashboard and export behind the token (no platform ids anywhere)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import delete

from fieldwork.dashboard import EXPORT_COLUMNS, export_csv, export_rows
from fieldwork.roster import wave_sessions
from study.store import ArgumentRow, Store
from study.store.repo import REPORT_PUBLISHED, get_study_row, log_event
from surveys.bots import run_panel_over_http
from tests.surveys.conftest import KEY, Fielded, field_study, study_text


def test_simulated_panel_takes_the_real_survey_until_full(store: Store) -> None:
    fielded = field_study(store, study_text("tiny").replace("per_argument = 3", "per_argument = 1"))
    with store.session() as session:
        session.execute(delete(ArgumentRow).where(ArgumentRow.id > 12))
    # 12 arguments on 6 topics, 1 rating each: 4 to 12 participants, then the study is full.
    results = run_panel_over_http(store, "tiny", KEY, n=14, concurrency=3, probe_every=3)
    done = [r for r in results if r.completed]
    assert all(r.completed != r.full for r in results) and any(r.full for r in results)
    assert sum(len(r.answers) for r in done) == 12
    assert all(1 <= len(r.answers) <= 3 for r in done)
    assert sum(r.refused for r in results) > 0
    sessions = wave_sessions(store, fielded.wave_id)
    assert [s.status for s in sessions] == ["completed"] * len(done)
    assert sorted(s.completion_code for s in sessions) == sorted(r.code for r in done)
    rows = export_rows(store, "tiny")
    assert len(rows) == 12
    assert all(r["persuasion"] == r["direction"] * (r["after"] - r["before"]) for r in rows)
    csv_text = export_csv(store, "tiny")
    assert csv_text.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    assert "sim-tiny" not in csv_text


def test_dashboard_and_export_need_the_researcher_token(
    client: TestClient, fielded: Fielded
) -> None:
    assert client.get("/researcher/survey-test").status_code == 401
    assert client.get("/researcher/survey-test/export.csv").status_code == 401
    wrong = client.get("/researcher/login?token=nope")
    assert wrong.status_code == 401
    bearer = {"authorization": "Bearer " + "r" * 40}
    export = client.get("/researcher/survey-test/export.csv", headers=bearer)
    assert export.status_code == 200 and export.text.startswith("wave,participant,")
    login = client.get(f"/researcher/login?study=survey-test&token={'r' * 40}")
    assert login.status_code == 303 and "HttpOnly" in login.headers["set-cookie"]
    page = client.get("/researcher/survey-test")
    assert page.status_code == 200 and "By writer" in page.text and "compact-1" in page.text
    progress = client.get("/researcher/survey-test/progress.json").json()
    assert progress["target"] == 3 and progress["sessions"] == {}


def test_dashboard_links_published_reports(
    client: TestClient, fielded: Fielded, tmp_path: Path
) -> None:
    report = tmp_path / "history" / "20261125-1200" / "report.html"
    report.parent.mkdir(parents=True)
    report.write_text("<html><style>p{}</style><p>report body 42</p></html>")
    with fielded.store.session() as session:
        study_id = get_study_row(session, "survey-test").id
        log_event(
            session,
            study_id,
            REPORT_PUBLISHED,
            {"stamp": "20261125-1200", "html": str(report), "n_ratings": 12},
        )
    url = "/researcher/survey-test/reports/20261125-1200"
    assert client.get(url).status_code == 401
    client.get(f"/researcher/login?study=survey-test&token={'r' * 40}")
    page = client.get("/researcher/survey-test")
    assert f'href="{url}"' in page.text and "12 ratings" in page.text
    shown = client.get(url)
    assert shown.status_code == 200 and "report body 42" in shown.text
    assert "style-src 'unsafe-inline'" in shown.headers["content-security-policy"]
    missing = client.get("/researcher/survey-test/reports/19990101-0000")
    assert missing.status_code == 404
    assert "has no published report &#39;19990101-0000&#39;" in missing.text
