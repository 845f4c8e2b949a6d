"""Prolific's JSON and our types, both ways: pure functions, tested without I/O.

Field by field from Prolific's API reference (docs.prolific.com, "The study object",
"Approve or reject a submission", "Bulk approve submissions", "Set up bonuses"):
- `filters` is required on a study (an empty list recruits everyone);
- `reward` is in the minor units of the workspace's currency (pence or cents);
- `maximum_allowed_time` (minutes) is when Prolific times a participant out;
- completion codes carry actions (`MANUALLY_REVIEW`, `AUTOMATICALLY_APPROVE`, …);
- a bonus is a CSV line `<submission_id>,<amount>` with the amount in major units (`1.50`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from common import UsageError
from fieldwork.platforms.base import (
    PlatformError,
    PublishRequest,
    StudyState,
    Submission,
    SubmissionStatus,
)

URL_PARAMETERS = (
    "PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}"
)
REJECTION_CATEGORIES = (
    "TOO_QUICKLY",
    "TOO_SLOWLY",
    "FAILED_INSTRUCTIONS",
    "INCOMP_LONGITUDINAL",
    "FAILED_CHECK",
    "LOW_EFFORT",
    "MALINGERING",
    "NO_CODE",
    "BAD_CODE",
    "NO_DATA",
    "UNSUPP_DEVICE",
    "OTHER",
)
MIN_REJECTION_MESSAGE = 100
BULK_APPROVE_MAX = 1000
STATUSES: dict[str, SubmissionStatus] = {
    "RESERVED": "reserved",
    "ACTIVE": "active",
    "TIMED-OUT": "timed_out",
    "AWAITING REVIEW": "awaiting_review",
    "APPROVED": "approved",
    "PARTIALLY APPROVED": "approved",
    "RETURNED": "returned",
    "REJECTED": "rejected",
    "SCREENED OUT": "screened_out",
}
# Study statuses (Prolific's names) in which STOP ends recruitment; a COMPLETED study refuses
# STOP and an AWAITING REVIEW one recruits no more by itself.
STOPPABLE = frozenset({"ACTIVE", "PAUSED", "PUBLISHING", "SCHEDULED"})


def survey_link(survey_url: str) -> str:
    """The survey address with Prolific's participant, study and session placeholders."""
    return survey_url + ("&" if "?" in survey_url else "?") + URL_PARAMETERS


def study_body(request: PublishRequest) -> dict[str, Any]:
    """The JSON body that creates a draft study for one wave."""
    completed = "AUTOMATICALLY_APPROVE" if request.auto_approve else "MANUALLY_REVIEW"
    return {
        "name": request.name,
        "internal_name": request.internal_name,
        "description": request.description,
        "external_study_url": survey_link(request.survey_url),
        "prolific_id_option": "url_parameters",
        "completion_codes": [
            {
                "code": request.completion_code,
                "code_type": "COMPLETED",
                "actions": [{"action": completed}],
            },
            *(
                [
                    {
                        "code": request.failed_attention_code,
                        "code_type": "FAILED_ATTENTION_CHECK",
                        "actions": [{"action": "MANUALLY_REVIEW"}],
                    }
                ]
                if request.failed_attention_code
                else []
            ),
        ],
        "total_available_places": request.places,
        "reward": request.reward,
        "estimated_completion_time": request.estimated_minutes,
        "maximum_allowed_time": request.maximum_allowed_minutes,
        "device_compatibility": ["desktop", "tablet", "mobile"],
        "filters": [dict(f) for f in request.filters],
    }


def parse_study_id(data: Any) -> str:
    """The id of a study from Prolific's answer to create or retrieve it."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise PlatformError(f"Prolific answered without a study id: {short(data)}")
    return str(data["id"])


def parse_study(data: Any) -> StudyState:
    """A study's status and places from `GET studies/{id}/` (or one item of the list)."""
    ref = parse_study_id(data)
    places = data.get("total_available_places")
    return StudyState(
        ref,
        str(data.get("status") or ""),
        int(places) if isinstance(places, int) else 0,
        str(data.get("internal_name") or ""),
    )


def _results(data: Any, what: str) -> tuple[list[Any], str | None]:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise PlatformError(f"Prolific answered without a list of {what}: {short(data)}")
    links = data.get("_links") or {}
    nxt = (links.get("next") or {}).get("href") if isinstance(links, dict) else None
    return data["results"], (str(nxt) if nxt else None)


def parse_studies(data: Any) -> tuple[list[StudyState], str | None]:
    """One page of `GET studies/`: the studies and the next page's link."""
    items, nxt = _results(data, "studies")
    return [parse_study(item) for item in items if isinstance(item, dict)], nxt


def parse_submissions(data: Any) -> tuple[list[Submission], str | None]:
    """One page of `GET studies/{id}/submissions/`: the submissions and the next page's link.
    Submissions in a status we do not know (Prolific briefly shows `PROCESSING`) are left for
    the next sync."""
    items, nxt = _results(data, "submissions")
    out = []
    for item in items:
        status = STATUSES.get(str(item.get("status", "")))
        if status is None:
            continue
        out.append(
            Submission(
                id=str(item["id"]),
                participant_id=str(item.get("participant_id") or item.get("participant") or ""),
                status=status,
                started_at=_when(item.get("started_at")),
                completed_at=_when(item.get("completed_at")),
                study_code=str(item.get("study_code") or item.get("entered_code") or ""),
                return_requested=bool(item.get("return_requested")),
            )
        )
    return out, nxt


def page_parts(data: Any) -> tuple[list[Any], str | None, int | None]:
    """(items, next link, total count) of one page of a list."""
    if not isinstance(data, dict):
        return [], None, None
    results = data.get("results")
    items: list[Any] = results if isinstance(results, list) else []
    links = data.get("_links")
    nxt = (links.get("next") or {}).get("href") if isinstance(links, dict) else None
    meta = data.get("meta")
    total = meta.get("count") if isinstance(meta, dict) else data.get("count")
    return items, (str(nxt) if nxt else None), (total if isinstance(total, int) else None)


def with_query(url: str, **params: int) -> str:
    """`url` with the query parameters `params` set (others kept)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def approve_body(submission: Submission) -> dict[str, Any]:
    """Approve: only a submission that awaits review, never a timed-out one."""
    _check_reviewable(submission, "approve")
    return {"action": "APPROVE"}


def bulk_approve_bodies(submissions: list[Submission]) -> list[dict[str, Any]]:
    """Bulk approvals by submission id (Prolific's recommended variant), at most 1,000 ids a
    call; every submission must await review."""
    for sub in submissions:
        _check_reviewable(sub, "approve")
    ids = [s.id for s in submissions]
    return [
        {"submission_ids": ids[i : i + BULK_APPROVE_MAX]}
        for i in range(0, len(ids), BULK_APPROVE_MAX)
    ]


def reject_body(submission: Submission, message: str, category: str) -> dict[str, Any]:
    """Reject with one of Prolific's categories and a message of at least 100 characters."""
    _check_reviewable(submission, "reject")
    if category not in REJECTION_CATEGORIES:
        raise UsageError(
            f"unknown rejection category {category!r}; allowed: {', '.join(REJECTION_CATEGORIES)}"
        )
    if len(message) < MIN_REJECTION_MESSAGE:
        raise UsageError(
            f"a rejection message must be at least {MIN_REJECTION_MESSAGE} characters "
            f"(Prolific's rule); this one has {len(message)}: {message!r}"
        )
    return {"action": "REJECT", "message": message, "rejection_category": category}


def return_body(reasons: list[str]) -> dict[str, Any]:
    if not reasons:
        raise UsageError("a return request needs at least one reason")
    return {"request_return_reasons": list(reasons)}


def bonus_body(study_ref: str, bonuses: list[tuple[str, int]]) -> dict[str, Any]:
    """Set up bonuses by submission id: `amount` in minor units becomes Prolific's decimal
    amount in the study's currency (250 -> "2.50")."""
    if not bonuses:
        raise UsageError("a bonus payment needs at least one submission")
    lines = []
    for submission_id, amount in bonuses:
        if amount <= 0:
            raise UsageError(f"bonus for submission {submission_id} must be positive: {amount}")
        lines.append(f"{submission_id},{amount // 100}.{amount % 100:02d}")
    return {"study_id": study_ref, "csv_bonuses": "\n".join(lines)}


def parse_bonus_id(data: Any) -> str:
    """The id of a bulk bonus payment (what `bulk-bonus-payments/{id}/pay/` takes)."""
    if not isinstance(data, dict) or not data.get("id"):
        raise PlatformError(f"Prolific answered without a bonus payment id: {short(data)}")
    return str(data["id"])


def error_message(status: int, data: Any, what: str) -> str:
    """One line from Prolific's error shape `{"error": {"title", "detail"}}`."""
    hint = {
        401: "; check the API token (a Prolific token has full access; create a new one "
        "in Prolific's settings if it was deleted)",
        403: "; the token's workspace may not own this study",
        404: "; the study or submission does not exist in this workspace",
    }.get(status, "")
    detail: Any = data
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        err = data["error"]
        detail = err.get("detail") or err.get("title") or err
    return f"Prolific refused to {what} (HTTP {status}): {short(detail)}{hint}"


def _check_reviewable(submission: Submission, verb: str) -> None:
    if submission.status != "awaiting_review":
        raise UsageError(
            f"cannot {verb} submission {submission.id}: its status is "
            f"{submission.status!r}; only submissions awaiting review can be reviewed"
        )


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def short(value: Any, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
