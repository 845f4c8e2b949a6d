"""`prefect_api`: the configured server, or a local one started and announced."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from flows import serve


def test_configured_server_is_used_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    said: list[str] = []
    with serve.prefect_api("a reason", said.append) as url:
        assert url == "http://127.0.0.1:9/api"
    assert said == []


def test_without_a_server_one_is_started_announced_and_shared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @contextmanager
    def fake_server() -> Iterator[str]:
        yield "http://127.0.0.1:4321/api"

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(serve, "local_server", fake_server)
    said: list[str] = []
    with serve.prefect_api("schedules need one", said.append) as url:
        assert os.environ["PREFECT_API_URL"] == url == "http://127.0.0.1:4321/api"
    assert "PREFECT_API_URL" not in os.environ
    assert said == [
        "No Prefect server is configured (PREFECT_API_URL is unset) and schedules need one: "
        "started a long-lived local one at http://127.0.0.1:4321/api (UI: "
        "http://127.0.0.1:4321); it stops when this command stops. To keep one running "
        "yourself: `prefect server start`, then `export PREFECT_API_URL=http://127.0.0.1:4200/api`."
    ]
