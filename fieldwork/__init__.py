"""Fieldwork: recruitment platforms (fieldwork.platforms), the quality rules, the wave's
roster, opening, syncing and closing a wave (fieldwork.sync), the inline simulated panel, and
the researcher dashboard (its data and its routes)."""

from fieldwork.dashboard import export_csv
from fieldwork.follow_up import (
    FollowUpRefused,
    FollowUpStatus,
    due_follow_ups,
    follow_up_status,
    open_follow_up,
    run_follow_ups,
    sync_follow_ups,
)
from fieldwork.follow_up_links import LinksWritten, follow_up_links
from fieldwork.panel_store import PanelSummary, run_simulated_panel
from fieldwork.payments import (
    BonusRun,
    Owed,
    describe_bonuses,
    owed_bonuses,
    pay_bonuses,
    unpaid_bonuses,
)
from fieldwork.platforms import PlatformError, get_platform
from fieldwork.preflight import LaunchRefused, Preflight, launch_preflight
from fieldwork.preregistration import (
    lock_preregistration,
    record_interim_look,
    require_preregistration,
)
from fieldwork.prize import Candidate, describe_ranking, prize_choice
from fieldwork.roster import SessionSummary, session_by_platform_session, wave_sessions
from fieldwork.server import create_server_app
from fieldwork.sync import (
    WaveStatus,
    close_fieldwork,
    open_fieldwork,
    planned_places,
    platform_for,
    sync_fieldwork,
    wave_status,
)
from fieldwork.writing_wave import (
    WritingStatus,
    close_writing,
    open_writing,
    writing_open,
    writing_preflight,
    writing_status,
)

__all__ = [
    "BonusRun",
    "Candidate",
    "FollowUpRefused",
    "FollowUpStatus",
    "LaunchRefused",
    "LinksWritten",
    "Owed",
    "PanelSummary",
    "PlatformError",
    "Preflight",
    "SessionSummary",
    "WaveStatus",
    "WritingStatus",
    "close_fieldwork",
    "close_writing",
    "create_server_app",
    "describe_bonuses",
    "describe_ranking",
    "due_follow_ups",
    "export_csv",
    "follow_up_links",
    "follow_up_status",
    "get_platform",
    "launch_preflight",
    "lock_preregistration",
    "open_fieldwork",
    "open_follow_up",
    "open_writing",
    "owed_bonuses",
    "pay_bonuses",
    "planned_places",
    "platform_for",
    "prize_choice",
    "record_interim_look",
    "require_preregistration",
    "run_follow_ups",
    "run_simulated_panel",
    "session_by_platform_session",
    "sync_fieldwork",
    "sync_follow_ups",
    "unpaid_bonuses",
    "wave_sessions",
    "wave_status",
    "writing_open",
    "writing_preflight",
    "writing_status",
]
