"""Surveys: the participant web app (surveys.app), the page sequence as data, assignment of
arguments to participants with expiring reservations, sessions, attention checks, writing
tasks, bots that take the survey over HTTP (surveys.bots), the researcher dashboard, and the
inline simulated panel."""

from surveys.panel_store import PanelSummary, run_simulated_panel
from surveys.roster import SessionSummary, session_by_platform_session, wave_sessions
from surveys.simulated import ArgumentRef, SimulatedParticipant, simulate_panel
from surveys.writing import ensure_writing_tasks

__all__ = [
    "ArgumentRef",
    "PanelSummary",
    "SessionSummary",
    "SimulatedParticipant",
    "ensure_writing_tasks",
    "run_simulated_panel",
    "session_by_platform_session",
    "simulate_panel",
    "wave_sessions",
]
