"""The survey app as fieldwork serves it: the participant and writing pages plus the
researcher dashboard (`/researcher/...`)."""

from __future__ import annotations

from fastapi import FastAPI

from fieldwork import researcher
from study.store import Store
from surveys.app import AppSettings, create_app


def create_server_app(store: Store, settings: AppSettings) -> FastAPI:
    """The survey app with the researcher dashboard mounted."""
    return create_app(store, settings, routers=[researcher.router])
