"""Surveys: assignment of arguments to participants, the simulated panel (and, later, the
participant web app, attention checks and recruitment platforms)."""

from surveys.panel_store import PanelSummary, run_simulated_panel
from surveys.simulated import ArgumentRef, SimulatedParticipant, simulate_panel

__all__ = [
    "ArgumentRef",
    "PanelSummary",
    "SimulatedParticipant",
    "run_simulated_panel",
    "simulate_panel",
]
