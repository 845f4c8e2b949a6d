"""Surveys: the participant web app (surveys.app), the page sequence as data, assignment of
arguments to participants with expiring reservations, sessions, attention checks, writing
tasks, the simulated response model, and bots that take the survey over HTTP (surveys.bots)."""

from surveys.assignment import aware, release_expired, release_session
from surveys.chat_inline import Planned, hold_all
from surveys.completion import (
    completion_codes,
    completion_link,
    prolific_completion_url,
    writing_completion_code,
)
from surveys.follow_up import (
    FollowUpView,
    follow_up_code,
    follow_up_token,
    load_follow_up,
    open_page,
    parse_answers,
    submit_follow_up,
    token_for_platform_id,
)
from surveys.hashing import keyed_hash, load_secret, same, token_hash
from surveys.pages import FormError
from surveys.serve import free_port, proxy_options, serve_in_thread
from surveys.simulated import ArgumentRef, SimulatedParticipant, simulate_panel
from surveys.simulated_follow_up import FollowUpQuestion, simulate_follow_up
from surveys.transcripts import (
    ConversationSummary,
    conversation_summary,
    export_transcripts,
    transcript_rows,
)
from surveys.writing import ensure_writing_tasks, invite_token
from surveys.writing_review import WrittenText, decide, review_queue

__all__ = [
    "ArgumentRef",
    "ConversationSummary",
    "FollowUpQuestion",
    "FollowUpView",
    "FormError",
    "Planned",
    "SimulatedParticipant",
    "WrittenText",
    "aware",
    "completion_codes",
    "completion_link",
    "conversation_summary",
    "decide",
    "ensure_writing_tasks",
    "export_transcripts",
    "follow_up_code",
    "follow_up_token",
    "free_port",
    "hold_all",
    "invite_token",
    "keyed_hash",
    "load_follow_up",
    "load_secret",
    "open_page",
    "parse_answers",
    "prolific_completion_url",
    "proxy_options",
    "release_expired",
    "release_session",
    "review_queue",
    "same",
    "serve_in_thread",
    "simulate_follow_up",
    "simulate_panel",
    "submit_follow_up",
    "token_for_platform_id",
    "token_hash",
    "transcript_rows",
    "writing_completion_code",
]
