"""The decisions of one sync, as pure functions of the wave's state (read once by
`fieldwork.field_store.load_wave_state`) and the platform's submissions: which submissions to
review and how, which finished sessions to check, how many places to add."""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.field_store import PLACE_TAKING, REVIEWED, WaveState, places_for, ratings_needed
from fieldwork.platforms import Submission
from fieldwork.quality import Decision, decide
from study import Exclusions, Participants


@dataclass(frozen=True)
class Review:
    """One decision of a sync: for a submission (None on platforms without submissions) and
    its survey session (None when no session carries the submission's id)."""

    submission: Submission | None
    session_id: int | None
    decision: Decision


def submission_reviews(
    state: WaveState, submissions: list[Submission], rules: Exclusions
) -> list[Review]:
    """The quality rules applied to every submission of the wave not yet reviewed: the
    decisions that change something (a decision already recorded, or a return already
    requested, is not sent again)."""
    by_submission = {ps: (sid, review, f) for sid, (ps, review, f) in state.facts.items() if ps}
    reviews = []
    for sub in submissions:
        sid, recorded, fact = by_submission.get(sub.id, (None, "", None))
        if recorded in REVIEWED:
            continue
        decision = decide(sub.status, fact, rules)
        if decision.review in ("", recorded) or (
            decision.action == "return" and sub.return_requested
        ):
            continue
        reviews.append(Review(sub, sid, decision))
    return reviews


def session_checks(state: WaveState, rules: Exclusions) -> list[Review]:
    """Platforms without submissions (links, simulated): the exclusions of finished sessions
    not yet checked."""
    return [
        Review(None, sid, decide(None, fact, rules))
        for sid, (_, recorded, fact) in state.facts.items()
        if not recorded and fact.status in ("completed", "timed_out")
    ]


def places_to_add(
    state: WaveState, submissions: list[Submission], participants: Participants
) -> int:
    """Places to add on the platform: the participants still needed beyond those taking part
    and the free places (rejected, returned and timed-out submissions free their places by
    themselves); 0 when the wave has no places yet or enough."""
    taking = sum(s.status in PLACE_TAKING for s in submissions)
    in_progress = sum(s.status in ("reserved", "active") for s in submissions)
    needed = places_for(
        ratings_needed(state.counts, participants.per_argument),
        participants.items_per_participant,
    )
    shortfall = needed - in_progress - max(0, state.places - taking)
    return shortfall if state.places > 0 and shortfall > 0 else 0
