"""Fieldwork: recruitment platforms (fieldwork.platforms), the quality rules, the wave's
roster, opening, syncing and closing a wave (fieldwork.sync), the inline simulated panel, and
the researcher dashboard (its data and its routes)."""

from fieldwork.dashboard import export_csv
from fieldwork.panel_store import PanelSummary, run_simulated_panel
from fieldwork.platforms import PlatformError, get_platform
from fieldwork.preflight import LaunchRefused, Preflight, launch_preflight
from fieldwork.roster import SessionSummary, session_by_platform_session, wave_sessions
from fieldwork.server import create_server_app
from fieldwork.sync import (
    WaveStatus,
    close_fieldwork,
    open_fieldwork,
    planned_places,
    sync_fieldwork,
    wave_status,
)

__all__ = [
    "LaunchRefused",
    "PanelSummary",
    "PlatformError",
    "Preflight",
    "SessionSummary",
    "WaveStatus",
    "close_fieldwork",
    "create_server_app",
    "export_csv",
    "get_platform",
    "launch_preflight",
    "open_fieldwork",
    "planned_places",
    "run_simulated_panel",
    "session_by_platform_session",
    "sync_fieldwork",
    "wave_sessions",
    "wave_status",
]
