"""Survey fixtures: a registered study with short arguments in an open wave, and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from arguments import generate_all
from claims import load_claim_set
from fieldwork.platforms.prolific import ProlificClient, ProlificPlatform
from fieldwork.server import create_server_app as create_app
from study.config import Study, parse_study
from study.store import ArgumentRow, Store
from study.store.repo import open_wave, register_study
from surveys.app import AppSettings
from tests.support.prolific_standin import ProlificStandin, prolific_standin

KEY = b"k" * 32
SHORT = "Short argument.\n\nIt has two paragraphs and <script>alert(1)</script> in it."


STUDY = """
[study]
name = "NAME"
claims = "default"
seed = 7

[[writers]]
id = "compact-1"
kind = "model"
model = "offline/compact-1"
generation = "Compact 1"
class = "compact"
order = 1
strategies = ["compelling_case"]
true_effect = 0.3

[[writers]]
id = "human"
kind = "human"
per_claim = 1
true_effect = 0.35

[control]
writer = "compact-1"

[participants]
per_argument = 3
items_per_participant = 3
control_rate = 0.1
words_per_minute = 2000
"""


def study_text(name: str = "survey-test", extra: str = "") -> str:
    """A small study (64 opinion claims x 2 writers + 16 controls) with fast reading times."""
    return STUDY.replace("NAME", name) + extra


@dataclass(frozen=True)
class Fielded:
    store: Store
    study: Study
    study_id: int
    wave_id: int


def field_study(store: Store, text: str | None = None, short: bool = True) -> Fielded:
    """Register a study, generate its (offline) arguments, shorten them so tests need not wait
    out a 250-word reading time, and open a wave."""
    text = text or study_text()
    study = parse_study(text)
    with store.session() as session:
        row = register_study(session, study, text, load_claim_set(study.study.claims))
        study_id = row.id
    generate_all(store, study, study_id)
    with store.session() as session:
        if short:
            session.query(ArgumentRow).filter(ArgumentRow.study_id == study_id).update(
                {ArgumentRow.text: SHORT}
            )
        wave = open_wave(session, study_id, "link", study.participants.per_argument)
        wave_id = wave.id
    return Fielded(store, study, study_id, wave_id)


@pytest.fixture
def fielded(store: Store) -> Fielded:
    return field_study(store)


@pytest.fixture
def client(fielded: Fielded) -> Iterator[TestClient]:
    app = create_app(fielded.store, AppSettings(key=KEY, researcher_token="r" * 40))
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def standin() -> Iterator[ProlificStandin]:
    """A Prolific stand-in on loopback (token "sekret", three submissions a page)."""
    with prolific_standin(token="sekret", page_size=3) as s:
        yield s


@pytest.fixture
def platform(standin: ProlificStandin) -> ProlificPlatform:
    """The Prolific adapter talking to the stand-in, with no real sleeps between retries."""
    return ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))
