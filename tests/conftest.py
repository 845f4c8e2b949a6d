"""Shared fixtures: a temporary SQLite store, a temporary PostgreSQL server (session-wide),
and one session-wide Prefect test harness for the flow tests."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect keeps its own home in a temporary folder for the whole test session.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="persuasion-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from study.store import Store, open_store
from tests.support.postgres import PostgresUnavailable, create_database, temporary_server

REPO = Path(__file__).resolve().parent.parent


def _required(var: str) -> bool:
    return os.environ.get(var, "0") == "1"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    """A migrated store in a real SQLite file."""
    with open_store(sqlite_url) as s:
        yield s


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    try:
        with temporary_server() as url:
            yield url
    except PostgresUnavailable as exc:
        if _required("PERSUASION_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here (PERSUASION_REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's temporary PostgreSQL server."""
    return create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on each backend: a real SQLite file and a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with open_store(url) as s:
        yield s


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (a temporary local server) for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
