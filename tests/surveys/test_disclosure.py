"""The texts a review board asks for, on the real consent and debrief pages: who runs the study,
the contact, the ethics approval, the duration from `recruitment.estimated_minutes`, and a
debrief that names each argument's writer (a person or an AI model), the strategy that was
allowed to invent facts, the true fact a control argument argued against, and that nothing was
fact-checked. `persuasion init` shows the keys (commented)."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fieldwork.server import create_server_app
from study import example_study_text, parse_study
from study.store import ArgumentRow, AssignmentRow, ClaimRow, SessionRow, Store
from surveys.app import AppSettings
from surveys.disclosure import (
    NOT_CHECKED,
    debrief_general,
    debrief_items,
    inventing_strategies,
)
from surveys.pages import sequence_for
from tests.surveys.conftest import KEY, Fielded, field_study, study_text

BOARD = """
[recruitment]
estimated_minutes = 14

[survey]
researcher = "Dr Ada Lovelace, Analytical University"
contact = "persuasion@analytical.example"
ethics_reference = "AU-IRB-2026-042"
"""


@pytest.fixture
def fielded(store: Store) -> Fielded:
    text = study_text("board", BOARD).replace(
        'strategies = ["compelling_case"]', 'strategies = ["compelling_case", "deceptive"]'
    )
    return field_study(store, text)


@pytest.fixture
def client(fielded: Fielded) -> Iterator[TestClient]:
    with TestClient(
        create_server_app(fielded.store, AppSettings(key=KEY)), follow_redirects=False
    ) as c:
        yield c


def test_the_consent_page_names_the_researcher_the_ethics_approval_and_the_duration(
    client: TestClient,
) -> None:
    assert client.get("/start/board?PROLIFIC_PID=p1&SESSION_ID=s1").status_code == 303
    page = client.get("/survey").text
    assert "It takes about 14 minutes." in page
    for line in (
        "Researcher: Dr Ada Lovelace, Analytical University",
        "Contact: persuasion@analytical.example",
        "Ethics approval: AU-IRB-2026-042",
    ):
        assert f"<p>{line}</p>" in page


def test_the_debrief_says_who_wrote_each_argument_and_names_the_facts(
    client: TestClient, fielded: Fielded
) -> None:
    assert client.get("/start/board?PROLIFIC_PID=p2&SESSION_ID=s2").status_code == 303
    store = fielded.store
    with store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        chosen = {
            "deceptive": _argument(session, ArgumentRow.strategy == "deceptive"),
            "human": _argument(session, ArgumentRow.writer_kind == "human"),
            "control": _argument(session, ClaimRow.kind == "control"),
        }
        assignments = session.scalars(
            select(AssignmentRow).where(AssignmentRow.session_id == sess.id)
        ).all()
        for assignment, (argument, _) in zip(assignments, chosen.values(), strict=False):
            assignment.argument_id = argument
        steps = sequence_for(fielded.study, len(assignments))
        sess.step = next(i for i, s in enumerate(steps) if s.kind == "debrief")
    page = html.unescape(client.get("/survey").text)
    deceptive, human, control = (claim for _, claim in chosen.values())
    assert (
        f"<li>The argument about “{deceptive}” was written by an AI language model (Compact 1), "
        "with instructions that allowed it to invent facts, statistics and sources (strategy: "
        "deceptive).</li>"
    ) in page
    assert f"<li>The argument about “{human}” was written by a person.</li>" in page
    assert (
        f"<li>“{control}” is true. The argument you read about it was written by an AI language "
        "model (Compact 1) to argue against it on purpose, to check the study's method.</li>"
    ) in page
    assert f"<p>{NOT_CHECKED}</p>" in page
    assert "<p>Ethics approval: AU-IRB-2026-042</p>" in page


def _argument(session: object, condition: object) -> tuple[int, str]:
    row = session.execute(  # type: ignore[attr-defined]
        select(ArgumentRow.id, ClaimRow.text)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .where(condition)
        .order_by(ArgumentRow.id)
        .limit(1)
    ).one()
    return int(row[0]), str(row[1])


def test_the_strategies_allowed_to_invent_facts_come_from_the_strategy_data() -> None:
    study = parse_study(
        study_text("board").replace(
            'strategies = ["compelling_case"]', 'strategies = ["compelling_case", "deceptive"]'
        )
        + '[[strategies]]\nname = "fabulist"\ntemplate = "Invent freely: {claim}"\n'
        "invents_facts = true\n"
    )
    assert inventing_strategies(study) == ["deceptive"]  # fabulist is declared but not used
    assert debrief_general(study)[1] == (
        "Some AI-written arguments in this study were written with instructions that allowed "
        "inventing facts, statistics and sources (strategy: deceptive)."
    )


def test_the_init_template_shows_the_review_board_keys() -> None:
    text = example_study_text("my-study")
    for key in ("researcher", "contact", "ethics_reference", "consent_text", "debrief_text"):
        assert f"\n# {key} = " in text, key
    assert "{minutes}" in text
    parse_study(text)  # the template is still a valid study file


def test_a_conversation_is_named_as_one_with_an_ai_model(
    client: TestClient, fielded: Fielded
) -> None:
    assert client.get("/start/board?PROLIFIC_PID=p3&SESSION_ID=s3").status_code == 303
    with fielded.store.session() as session:
        sess = session.scalars(select(SessionRow)).one()
        first = session.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.session_id == sess.id)
            .order_by(AssignmentRow.position)
        ).first()
        assert first is not None
        argument = session.get_one(ArgumentRow, first.argument_id)
        argument.format, argument.writer_kind, argument.generation = "conversation", "model", "C2"
        claim = session.get_one(ClaimRow, argument.claim_id).text
        sess_id = sess.id
    lines = debrief_items(fielded.store, sess_id, fielded.study)
    assert lines[0] == (
        f"Your conversation about “{claim}” was with an AI language model (C2), not a person."
    )
