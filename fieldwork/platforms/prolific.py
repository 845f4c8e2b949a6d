"""Prolific (https://docs.prolific.com/api-reference): a thin httpx client around the pure
converters of `prolific_convert`.

Endpoints used (all under `/api/v1/`, header `Authorization: Token <key>`):
- `GET studies/` (paged) finds a study by its internal name before one is created, because
  `POST studies/` is not idempotent: a create is never retried blindly;
- `POST studies/{id}/transition/` with `PUBLISH`, `START` (resume a study Prolific paused by
  itself) or `STOP` (never on a COMPLETED study); `GET studies/{id}/` reads its status;
- `PATCH studies/{id}/` with `{"total_available_places": n}` adds places (never fewer);
- `GET studies/{id}/submissions/` lists its submissions, following `_links.next.href` whether
  absolute or relative (resolved against the page it came from, RFC 3986), or, on a page
  without a link whose `meta.count` says more exist, asking for the rest by `limit`/`offset`;
- `POST submissions/bulk-approve/` (at most 1,000 submission ids a call),
  `POST submissions/{id}/transition/` to reject with a category and a message of at least 100
  characters, `POST submissions/{id}/request-return/`;
- `POST submissions/bonus-payments/` sets up bonuses by submission id and
  `POST bulk-bonus-payments/{id}/pay/` pays them (not idempotent: sent once, never retried).

Only a submission that awaits review is approved or rejected (never a timed-out one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from fieldwork.platforms.base import (
    PlatformError,
    PublishRequest,
    RecruitmentPlatform,
    StudyState,
    Submission,
    UncertainOutcome,
)
from fieldwork.platforms.prolific_convert import (
    STOPPABLE,
    approve_body,
    bonus_body,
    bulk_approve_bodies,
    error_message,
    page_parts,
    parse_bonus_id,
    parse_studies,
    parse_study,
    parse_study_id,
    parse_submissions,
    reject_body,
    return_body,
    study_body,
    survey_link,
    with_query,
)
from study import Recruitment

__all__ = ["ProlificClient", "ProlificPlatform", "UncertainOutcome", "study_body", "survey_link"]

DEFAULT_URL = "https://api.prolific.com"
URL_ENV = "PROLIFIC_API_URL"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGES = 1000


class ProlificClient:
    """Prolific's API over httpx. Retries (bounded) on 429, 5xx and connection errors, waiting
    as `Retry-After` says (capped); requests that are not idempotent (`retry=False`) are
    repeated only after a 429, which Prolific answers before doing anything."""

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
        self.api = base_url.rstrip("/") + "/api/v1/"
        self._http = httpx.Client(
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            transport=transport,
            timeout=timeout,
        )
        self._attempts = max(1, attempts)
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def url(self, link: str, page: str | None = None) -> str:
        """An API path or a `next` link (absolute, root-relative or relative) as an absolute
        URL, resolved against the page it came from; refuses links to another host."""
        url = urljoin(page or self.api, link)
        api, got = urlsplit(self.api), urlsplit(url)
        if (got.scheme, got.netloc) != (api.scheme, api.netloc):
            raise PlatformError(f"Prolific pointed to a page outside its API: {link}")
        return url

    def request(
        self, method: str, path: str, what: str, body: Any = None, *, retry: bool = True
    ) -> Any:
        """One API call; `path` is relative to `/api/v1/` or an absolute API URL."""
        url = self.url(path)
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                response = self._http.request(method, url, json=body)
            except httpx.TransportError as exc:
                if not retry:
                    raise UncertainOutcome(
                        f"lost the connection to Prolific while trying to {what}: {exc}"
                    ) from None
                if last:
                    raise PlatformError(
                        f"cannot reach Prolific at {self.api} to {what} after "
                        f"{attempt} attempts: {exc}; check the network or {URL_ENV}"
                    ) from None
                self._sleep(_backoff(attempt, None))
                continue
            code = response.status_code
            if code in RETRY_STATUSES and not last and (retry or code == 429):
                self._sleep(_backoff(attempt, response.headers.get("Retry-After")))
                continue
            data = _json(response)
            if code >= 500 and not retry:
                raise UncertainOutcome(error_message(code, data, what))
            if code >= 400:
                raise PlatformError(error_message(code, data, what))
            return data
        raise PlatformError(f"no attempt made to {what}")  # unreachable: attempts >= 1

    def pages(self, path: str, what: str) -> Iterator[Any]:
        """Every page of a list: by each page's `next` link (absolute or relative), or, when a
        page carries no link but its `meta.count` says more items exist, by `limit`/`offset`
        (the pagination Prolific's list endpoints share). A page that repeats items already
        seen stops the walk with an error rather than looping."""
        url = self.url(path)
        offset, seen = 0, set[str]()
        for _ in range(MAX_PAGES):
            data = self.request("GET", url, what)
            items, nxt, total = page_parts(data)
            ids = {str(i.get("id")) for i in items if isinstance(i, dict) and i.get("id")}
            if ids and ids <= seen:
                raise PlatformError(
                    f"Prolific returned a page of items already seen to {what} ({url}); "
                    "its pagination changed: report it and run the command again"
                )
            seen |= ids
            yield data
            offset += len(items)
            if nxt:
                url = self.url(nxt, url)
            elif items and total is not None and offset < total:
                url = with_query(url, offset=offset, limit=len(items))
            else:
                return
        raise PlatformError(f"Prolific returned more than {MAX_PAGES} pages to {what}")


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
            raise PlatformError(
                f"the Prolific API token is missing: set the environment variable {var} "
                "(create a token in Prolific under Settings > API tokens)"
            )
        return cls(ProlificClient(token, env.get(URL_ENV) or DEFAULT_URL))

    def find(self, internal_name: str) -> str | None:
        """The id of this workspace's study called `internal_name`, if there is one."""
        for data in self.client.pages("studies/", "list the workspace's studies"):
            studies, _ = parse_studies(data)
            for study in studies:
                if study.internal_name == internal_name:
                    return study.id
        return None

    def create(self, request: PublishRequest) -> str:
        """Create the draft once: an existing study of the same internal name is reused, and a
        create whose outcome is unknown is looked up again rather than repeated."""
        found = self.find(request.internal_name)
        if found:
            return found
        body = study_body(request)
        try:
            data = self.client.request("POST", "studies/", "create the study", body, retry=False)
        except UncertainOutcome as exc:
            found = self.find(request.internal_name)
            if found:
                return found
            raise PlatformError(
                f"{exc}; no study named {request.internal_name!r} exists on Prolific, so it "
                "was not created: run the command again"
            ) from None
        return parse_study_id(data)

    def state(self, ref: str) -> StudyState:
        return parse_study(self.client.request("GET", f"studies/{ref}/", "read the study"))

    def publish(self, ref: str) -> None:
        self._study_transition(ref, "PUBLISH", "publish the study")

    def resume(self, ref: str) -> None:
        self._study_transition(ref, "START", "resume the paused study")

    def close(self, ref: str) -> None:
        """Stop recruiting: STOP an active or paused study; a study that completed or awaits
        review by itself recruits no more and is left as it is (Prolific refuses STOP on a
        completed study)."""
        if self.state(ref).status not in STOPPABLE:
            return
        try:
            self._study_transition(ref, "STOP", "stop the study")
        except PlatformError:
            if self.state(ref).status in STOPPABLE:
                raise

    def add_places(self, ref: str, total: int) -> None:
        self.client.request(
            "PATCH",
            f"studies/{ref}/",
            f"raise the study's places to {total}",
            {"total_available_places": total},
        )

    def submissions(self, ref: str) -> list[Submission]:
        out: list[Submission] = []
        for data in self.client.pages(f"studies/{ref}/submissions/", "list the submissions"):
            out.extend(parse_submissions(data)[0])
        return out

    def approve(self, submission: Submission) -> None:
        self._transition(submission, approve_body(submission), "approve")

    def approve_many(self, submissions: list[Submission]) -> None:
        for body in bulk_approve_bodies(submissions):
            n = len(body["submission_ids"])
            self.client.request(
                "POST", "submissions/bulk-approve/", f"approve {n} submissions", body
            )

    def reject(self, submission: Submission, message: str, category: str) -> None:
        self._transition(submission, reject_body(submission, message, category), "reject")

    def request_return(self, submission: Submission, reasons: list[str]) -> None:
        self.client.request(
            "POST",
            f"submissions/{submission.id}/request-return/",
            f"ask for the return of submission {submission.id}",
            return_body(reasons),
        )

    def create_bonuses(self, ref: str, bonuses: list[tuple[str, int]]) -> str:
        data = self.client.request(
            "POST", "submissions/bonus-payments/", "set up bonuses", bonus_body(ref, bonuses)
        )
        return parse_bonus_id(data)

    def pay_bonuses(self, payment_id: str) -> None:
        self.client.request(
            "POST",
            f"bulk-bonus-payments/{payment_id}/pay/",
            f"pay the bonus payment {payment_id}",
            retry=False,
        )

    def _study_transition(self, ref: str, action: str, what: str) -> None:
        self.client.request("POST", f"studies/{ref}/transition/", what, {"action": action})

    def _transition(self, submission: Submission, body: dict[str, Any], verb: str) -> None:
        self.client.request(
            "POST",
            f"submissions/{submission.id}/transition/",
            f"{verb} submission {submission.id}",
            body,
        )
