"""The follow-up flow: on schedule, open every follow-up wave that is due (its wave closed
`follow_up.after_days` ago), review the open ones and close those that are done. All state
lives in the store; a run only asks it what is due."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from fieldwork import FollowUpStatus, run_follow_ups
from flows.deployments import StudyFile, schedule_kwargs, tag
from study import load_and_register
from study.store import open_store


@flow(name="follow-up")
def follow_up_flow(study: str, db: str | None = None) -> list[FollowUpStatus]:
    """Open the study's due follow-up waves and sync the open ones."""
    logger = get_run_logger()
    with open_store(db) as store:
        statuses = run_follow_ups(store, load_and_register(store, study))
    for s in statuses:
        logger.info(
            "follow-up wave %d of wave %d %s: %d of %d participants answered",
            s.wave,
            s.follows,
            s.status,
            s.completed,
            s.invited,
        )
    return statuses


def follow_up_deployments(entry: StudyFile, db: str | None, every: float | None) -> list[Any]:
    """The study's follow-up deployment (on the sync schedule), if its file has [follow_up]."""
    if entry.study.follow_up is None:
        return []
    name = entry.study.name
    return [
        follow_up_flow.to_deployment(
            name=name,
            parameters={"study": str(entry.path), "db": db},
            tags=[tag(name), "persuasion"],
            description=f"Open and sync the follow-up waves of {name} "
            f"({entry.study.follow_up.after_days} days after each wave closes)",
            **schedule_kwargs(entry.study.schedules.sync, every),
        )
    ]
