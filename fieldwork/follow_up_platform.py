"""The platform side of a follow-up wave: who may take part (a Prolific allowlist matched
through the keyed hash), what the follow-up study asks for and costs (its preflight), and the
review of its submissions."""

from __future__ import annotations

from sqlalchemy import select

from fieldwork.platforms import PublishRequest, RecruitmentPlatform, Submission
from fieldwork.preflight import LaunchRefused, Probe
from study import LoadedStudy, hourly, money, prolific_minimum_allowed_minutes
from study.store import FollowUpSessionRow, ParticipantRow, Store, WaveRow
from surveys import follow_up_code, keyed_hash

SLACK_MINUTES = 10  # added to Prolific's shortest time limit for the follow-up study


class FollowUpRefused(LaunchRefused):
    """A follow-up that must not be published yet: the message names what stops it."""


def follow_up_base(survey_url: str) -> str:
    """The survey app's address from `recruitment.survey_url` (everything before `/start/`)."""
    return survey_url.split("/start/", 1)[0].rstrip("/")


def follow_up_entry(loaded: LoadedStudy) -> str:
    """Where a Prolific participant enters the follow-up (Prolific appends its ids)."""
    return f"{follow_up_base(loaded.study.recruitment.survey_url)}/follow-up/{loaded.study.name}"


def follow_up_link(survey_url: str, token: str) -> str:
    """A participant's personal follow-up address."""
    return f"{follow_up_base(survey_url)}/follow-up/t/{token}"


def allowlist(store: Store, platform: RecruitmentPlatform, follow_id: int, key: bytes) -> list[str]:
    """The raw platform ids of the invited participants, read from the original wave's
    submission list now (the store keeps only their keyed hashes) and kept only where the
    hash matches an invited participant. Never stored."""
    with store.session() as session:
        follow = session.get_one(WaveRow, follow_id)
        original_ref = session.get_one(WaveRow, follow.follows_wave_id).platform_ref
        hashes = set(
            session.scalars(
                select(ParticipantRow.platform_id_hash)
                .join(FollowUpSessionRow, FollowUpSessionRow.participant_id == ParticipantRow.id)
                .where(FollowUpSessionRow.wave_id == follow_id)
            )
        )
    submissions = platform.submissions(original_ref) if original_ref else []
    ids = dict.fromkeys(
        s.participant_id for s in submissions if keyed_hash(key, s.participant_id) in hashes
    )
    return list(ids)


def follow_up_request(
    loaded: LoadedStudy, number: int, original: int, ids: list[str]
) -> PublishRequest:
    """The follow-up study: only `ids` admitted, one place each, the follow-up's reward."""
    study = loaded.study
    plan = study.follow_up
    if plan is None:  # checked by the caller
        raise ValueError("study has no [follow_up]")
    rec = study.recruitment
    code = follow_up_code(study)
    description = plan.description or (
        "A short follow-up to a study you took part in: say again how much you support "
        "a few claims. There is nothing to read this time."
    )
    return PublishRequest(
        name=plan.title or f"Follow-up: opinions on current issues ({study.name})",
        internal_name=f"{study.name} wave {original} follow-up {number}",
        description=description,
        survey_url=follow_up_entry(loaded),
        places=len(ids),
        reward=plan.reward_minor(rec.currency),
        estimated_minutes=plan.estimated_minutes,
        completion_code=code,
        failed_attention_code=code + "X",
        currency=rec.currency,
        maximum_allowed_minutes=prolific_minimum_allowed_minutes(plan.estimated_minutes)
        + SLACK_MINUTES,
        filters=({"filter_id": "custom_allowlist", "selected_values": list(ids)},),
        auto_approve=rec.auto_approve,
    )


def follow_up_preflight(
    loaded: LoadedStudy, request: PublishRequest, probe: Probe
) -> tuple[list[str], list[str]]:
    """What publishing the follow-up will do (lines) and what stops it (blockers)."""
    rec = loaded.study.recruitment
    cur, minutes = request.currency, request.estimated_minutes
    rewards = request.reward * request.places
    fees = round(rewards * rec.fee_rate)
    lines = [
        f"Preflight: follow-up of study {loaded.study.name} on {rec.platform}",
        f"  places: {request.places} (only participants of the original wave: custom allowlist)",
        f"  reward: {money(request.reward, cur)} for {minutes} minutes "
        f"({money(hourly(request.reward, minutes), cur)} an hour)",
        f"  cost: {money(rewards, cur)} rewards + {money(fees, cur)} fees = "
        f"{money(rewards + fees, cur)} total",
    ]
    blockers = []
    if request.places == 0:
        blockers.append(
            "no participant of the original wave was found in its submissions on the platform "
            "(their ids are matched through the keyed hash: keep the store's secret key with it)"
        )
    problem = probe(request.survey_url)
    lines.append(f"  follow-up page: {request.survey_url} {problem or 'answers'}")
    if problem:
        blockers.append(
            f"the follow-up address {request.survey_url} {problem}; serve the survey app there "
            "(`persuasion survey serve`) or fix recruitment.survey_url"
        )
    return lines, blockers


def review_follow_up(store: Store, platform: RecruitmentPlatform, wave_id: int, ref: str) -> int:
    """Approve the follow-up submissions awaiting review whose answers are stored; the others
    are left for the researcher. Returns how many were approved."""
    with store.session() as session:
        done = set(
            session.scalars(
                select(FollowUpSessionRow.platform_session).where(
                    FollowUpSessionRow.wave_id == wave_id,
                    FollowUpSessionRow.status == "completed",
                    FollowUpSessionRow.platform_session != "",
                )
            )
        )
    ready: list[Submission] = [
        s for s in platform.submissions(ref) if s.status == "awaiting_review" and s.id in done
    ]
    if ready:
        platform.approve_many(ready)
    return len(ready)
