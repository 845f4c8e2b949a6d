"""Prolific (https://docs.prolific.com/api-reference): pure converters between our types and
Prolific's JSON, tested without I/O, and a thin httpx client around them.

Endpoints used (all under `/api/v1/`, header `Authorization: Token <key>`):
- `POST studies/` creates a draft study; `POST studies/{id}/transition/` with
  `{"action": "PUBLISH"}` publishes it (`"STOP"` stops it);
- `PATCH studies/{id}/` with `{"total_available_places": n}` adds places (never fewer);
- `GET studies/{id}/submissions/` lists its submissions (paged through `_links.next.href`);
- `POST submissions/{id}/transition/` with `{"action": "APPROVE"}` or `{"action": "REJECT",
  "message": ..., "rejection_category": ...}`; `POST submissions/{id}/request-return/` with
  `{"request_return_reasons": [...]}`.

Prolific's rules are enforced here as well as in the quality rules: only a submission that
awaits review is approved or rejected (never a timed-out one), a rejection needs one of
Prolific's categories and a message of at least 100 characters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from common import UsageError
from fieldwork.platforms.base import (
    PlatformError,
    PublishRequest,
    RecruitmentPlatform,
    Submission,
    SubmissionStatus,
)
from study import Recruitment

DEFAULT_URL = "https://api.prolific.com"
URL_ENV = "PROLIFIC_API_URL"
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
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGES = 1000


# --- pure converters -------------------------------------------------------------------------


def survey_link(survey_url: str) -> str:
    """The survey address with Prolific's participant, study and session placeholders."""
    return survey_url + ("&" if "?" in survey_url else "?") + URL_PARAMETERS


def study_body(request: PublishRequest) -> dict[str, Any]:
    """The JSON body that creates a draft study for one wave."""
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
                "actions": [{"action": "MANUALLY_REVIEW"}],
            },
            {
                "code": request.failed_attention_code,
                "code_type": "FAILED_ATTENTION_CHECK",
                "actions": [{"action": "MANUALLY_REVIEW"}],
            },
        ],
        "total_available_places": request.places,
        "reward": request.reward_pence,
        "estimated_completion_time": request.estimated_minutes,
        "device_compatibility": ["desktop", "tablet", "mobile"],
    }


def parse_study_id(data: Any) -> str:
    """The id of a study from Prolific's answer to create or retrieve it."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise PlatformError(f"Prolific answered without a study id: {_short(data)}")
    return str(data["id"])


def parse_submissions(data: Any) -> tuple[list[Submission], str | None]:
    """One page of `GET studies/{id}/submissions/`: the submissions and the next page's URL.
    Submissions in a status we do not know (Prolific briefly shows `PROCESSING`) are left for
    the next sync."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise PlatformError(f"Prolific answered without a list of submissions: {_short(data)}")
    out = []
    for item in data["results"]:
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
    links = data.get("_links") or {}
    nxt = (links.get("next") or {}).get("href") if isinstance(links, dict) else None
    return out, (str(nxt) if nxt else None)


def approve_body(submission: Submission) -> dict[str, Any]:
    """Approve: only a submission that awaits review, never a timed-out one."""
    _check_reviewable(submission, "approve")
    return {"action": "APPROVE"}


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
    return f"Prolific refused to {what} (HTTP {status}): {_short(detail)}{hint}"


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


def _short(value: Any, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the thin I/O layer ----------------------------------------------------------------------


class ProlificClient:
    """Prolific's API over httpx. Retries (bounded) only on 429, 5xx and connection errors,
    waiting as `Retry-After` says (capped)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1/",
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            transport=transport,
            timeout=timeout,
        )
        self._attempts = max(1, attempts)
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, what: str, body: Any = None) -> Any:
        """One API call; `path` is relative to `/api/v1/` or a next-page URL from Prolific."""
        if path.startswith(("http://", "https://")) and not path.startswith(
            str(self._http.base_url)
        ):
            raise PlatformError(f"Prolific pointed to a page outside its API: {path}")
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._http.request(method, path, json=body)
            except httpx.TransportError as exc:
                if attempt == self._attempts:
                    raise PlatformError(
                        f"cannot reach Prolific at {self._http.base_url} to {what} after "
                        f"{attempt} attempts: {exc}; check the network or {URL_ENV}"
                    ) from None
                self._sleep(_backoff(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self._attempts:
                self._sleep(_backoff(attempt, response.headers.get("Retry-After")))
                continue
            data = _json(response)
            if response.status_code >= 400:
                raise PlatformError(error_message(response.status_code, data, what))
            return data
        raise PlatformError(f"no attempt made to {what}")  # unreachable: attempts >= 1


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after:
        try:
            return min(float(retry_after), 60.0)
        except ValueError:
            pass
    return min(0.5 * 2 ** (attempt - 1), 10.0)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


class ProlificPlatform(RecruitmentPlatform):
    """Recruitment through Prolific."""

    name = "prolific"
    has_submissions = True

    def __init__(self, client: ProlificClient) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, recruitment: Recruitment, env: Mapping[str, str]) -> ProlificPlatform:
        var = recruitment.token_env or "PROLIFIC_API_TOKEN"
        token = env.get(var, "").strip()
        if not token:
            raise UsageError(
                f"the Prolific API token is missing: set the environment variable {var} "
                "(create a token in Prolific under Settings > API tokens)"
            )
        return cls(ProlificClient(token, env.get(URL_ENV) or DEFAULT_URL))

    def create(self, request: PublishRequest) -> str:
        data = self.client.request("POST", "studies/", "create the study", study_body(request))
        return parse_study_id(data)

    def publish(self, ref: str) -> None:
        self.client.request(
            "POST", f"studies/{ref}/transition/", "publish the study", {"action": "PUBLISH"}
        )

    def close(self, ref: str) -> None:
        self.client.request(
            "POST", f"studies/{ref}/transition/", "stop the study", {"action": "STOP"}
        )

    def add_places(self, ref: str, total: int) -> None:
        self.client.request(
            "PATCH",
            f"studies/{ref}/",
            f"raise the study's places to {total}",
            {"total_available_places": total},
        )

    def submissions(self, ref: str) -> list[Submission]:
        out: list[Submission] = []
        path: str | None = f"studies/{ref}/submissions/"
        for _ in range(MAX_PAGES):
            if path is None:
                return out
            page, path = parse_submissions(
                self.client.request("GET", path, "list the study's submissions")
            )
            out.extend(page)
        raise PlatformError(f"Prolific returned more than {MAX_PAGES} pages of submissions")

    def approve(self, submission: Submission) -> None:
        self._transition(submission, approve_body(submission), "approve")

    def reject(self, submission: Submission, message: str, category: str) -> None:
        self._transition(submission, reject_body(submission, message, category), "reject")

    def request_return(self, submission: Submission, reasons: list[str]) -> None:
        self.client.request(
            "POST",
            f"submissions/{submission.id}/request-return/",
            f"ask for the return of submission {submission.id}",
            return_body(reasons),
        )

    def _transition(self, submission: Submission, body: dict[str, Any], verb: str) -> None:
        self.client.request(
            "POST",
            f"submissions/{submission.id}/transition/",
            f"{verb} submission {submission.id}",
            body,
        )
