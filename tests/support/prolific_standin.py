"""A loopback stand-in for the parts of Prolific's API the pipeline uses, for tests.

It listens on 127.0.0.1 (a free port), checks `Authorization: Token <key>`, keeps studies,
submissions and bonus payments in memory, records every request, answers errors in Prolific's
shape (`{"error": {"status", "error_code", "title", "detail"}}`) and behaves as Prolific's
documentation says (the rules are in tests/support/prolific_rules.py): required fields
validated, automatic pause and completion, root-relative `next` links (or `limit`/`offset`
pages without links), the filters catalogue with its ids validated, STOP refused on a
completed study, bonus payments paid again on every pay call. It can be told to fail the next
requests, before handling them (429 with `Retry-After`, 503) or after (a 502 on a create that
did create the study, as a real gateway time-out can).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import prolific_rules as rules
from tests.support.prolific_rules import Links, err


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    path: str
    status: int
    headers: dict[str, str]
    after: bool
    method: str = ""


@dataclass
class StandinState:
    token: str
    page_size: int = 2
    links: Links = "root"
    studies: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    bonuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    paid: list[tuple[str, str, int]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def subs(self, study_id: str) -> list[dict[str, Any]]:
        return [s for s in self.submissions.values() if s["study_id"] == study_id]


class ProlificStandin:
    """Handle on a running stand-in: its URL, its state, and helpers for tests."""

    def __init__(self, server: ThreadingHTTPServer, state: StandinState) -> None:
        self.server = server
        self.state = state
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[Recorded]:
        return list(self.state.requests)

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.state.requests if r.method == method and re.search(pattern, r.path)]

    def fail_next(
        self,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        path: str = "",
        after: bool = False,
        method: str = "",
    ) -> None:
        """Answer the next `times` requests whose path matches the regex `path` with `status`:
        before handling them, or (`after`) once they were handled, so the change is made but
        the caller never hears of it. `method` limits it to one HTTP method."""
        failure = Failure(path, status, headers or {}, after, method)
        with self.state.lock:
            self.state.failures.extend([failure] * times)

    def add_submission(
        self,
        study_id: str,
        status: str = "AWAITING REVIEW",
        submission_id: str | None = None,
        participant_id: str | None = None,
        study_code: str = "",
        check: bool = True,
    ) -> str:
        """A participant's submission. With `check`, only as Prolific allows it: the study is
        ACTIVE, has a free place and admits the participant (a `custom_allowlist` filter
        admits only its ids), and an AUTOMATICALLY_APPROVE code approves it."""
        sid = submission_id or uuid.uuid4().hex[:24]
        with self.state.lock:
            study = self.state.studies.get(study_id)
            subs = self.state.subs(study_id)
            if check and study is not None:
                full = rules.is_full(study, subs)
                if study["status"] != "ACTIVE" or (full and status in rules.TAKING):
                    raise AssertionError(
                        f"Prolific lets nobody into a {study['status']} study "
                        f"({len(subs)} submissions, {study['total_available_places']} places)"
                    )
            pid = participant_id or uuid.uuid4().hex[:24]
            if check and study is not None and not rules.admits(study, pid):
                raise AssertionError(f"Prolific shows the study only to its allowlist, not {pid}")
            auto = study is not None and rules.auto_approves(study, study_code)
            if status == "AWAITING REVIEW" and auto:
                status = "APPROVED"
            self.state.submissions[sid] = {
                "id": sid,
                "study_id": study_id,
                "participant_id": pid,
                "status": status,
                "started_at": "2026-11-25T15:00:00.000000Z",
                "completed_at": None if status in rules.WORKING else "2026-11-25T15:12:00Z",
                "study_code": study_code or None,
                "return_requested": None,
                "has_siblings": False,
            }
            if study is not None:
                rules.settle(study, self.state.subs(study_id), False)
        return sid

    def set_status(self, sid: str, status: str) -> None:
        """The participant moves on: finishes (`AWAITING REVIEW`), returns (`RETURNED`) or is
        timed out (`TIMED-OUT`); a return from a full study pauses it, as on Prolific."""
        with self.state.lock:
            sub = self.state.submissions[sid]
            study = self.state.studies.get(sub["study_id"])
            subs = self.state.subs(sub["study_id"])
            full = study is not None and rules.is_full(study, subs)
            pauses = status == "RETURNED" and sub["status"] == "AWAITING REVIEW" and full
            sub["status"] = status
            if study is not None:
                rules.settle(study, subs, pauses)

    def submission(self, sid: str) -> dict[str, Any]:
        return dict(self.state.submissions[sid])

    def study(self, ref: str) -> dict[str, Any]:
        return dict(self.state.studies[ref])


class _Handler(BaseHTTPRequestHandler):
    state: StandinState

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        st = self.state
        with st.lock:
            st.requests.append(Recorded(method, self.path, dict(self.headers.items()), body))
            due = [
                f for f in st.failures if re.search(f.path, self.path) and f.method in ("", method)
            ]
            failure = due[0] if due else None
            if failure is not None:
                st.failures.remove(failure)
        if failure is not None and not failure.after:
            return self._fail(failure)
        if self.headers.get("Authorization") != f"Token {st.token}":
            return self._send(*err(401, "Unauthorized", "Invalid token."))
        url = urlsplit(self.path)
        for pattern, name in ROUTES:
            m = re.fullmatch(pattern, url.path)
            if m and name.startswith(method):
                with st.lock:
                    status, data = getattr(self, name)(body, parse_qs(url.query), *m.groups())
                if failure is not None:
                    return self._fail(failure)
                return self._send(status, data)
        return self._send(*err(404, "Not found", f"no route for {method} {url.path}"))

    # --- studies ------------------------------------------------------------------------------

    def POST_studies(self, body: Any, query: Any) -> tuple[int, Any]:
        problem = rules.check_study(body, self.state.studies)
        if problem is not None:
            return problem
        study_id = uuid.uuid4().hex[:24]
        study = dict(body, id=study_id, status="UNPUBLISHED")
        self.state.studies[study_id] = study
        return 201, study

    def GET_studies(self, body: Any, query: dict[str, list[str]]) -> tuple[int, Any]:
        studies = [
            {k: s.get(k) for k in ("id", "name", "internal_name", "status")}
            | {"total_available_places": s["total_available_places"]}
            for s in self.state.studies.values()
        ]
        return 200, self._page(studies, query)

    def GET_filters(self, body: Any, query: dict[str, list[str]]) -> tuple[int, Any]:
        return 200, self._page(rules.filter_list(self.state.studies), query)

    def GET_study(self, body: Any, query: Any, study_id: str) -> tuple[int, Any]:
        study = self.state.studies.get(study_id)
        if study is None:
            return err(404, "Not found", f"study {study_id} not found")
        return 200, study

    def POST_study_transition(self, body: Any, query: Any, study_id: str) -> tuple[int, Any]:
        study = self.state.studies.get(study_id)
        if study is None:
            return err(404, "Not found", f"study {study_id} not found")
        action = (body or {}).get("action")
        problem = rules.study_transition(study, action, self.state.subs(study_id))
        return problem if problem is not None else (200, study)

    def PATCH_study(self, body: Any, query: Any, study_id: str) -> tuple[int, Any]:
        study = self.state.studies.get(study_id)
        if study is None:
            return err(404, "Not found", f"study {study_id} not found")
        places = (body or {}).get("total_available_places")
        if set(body or {}) - {"total_available_places", "internal_name"}:
            return err(400, "Invalid update", "a published study only takes new places or name")
        if study["status"] == "COMPLETED" or study.get("stopped"):
            return err(400, "Invalid update", f"cannot add places to a {study['status']} study")
        if not isinstance(places, int) or places < study["total_available_places"]:
            return rules.validation_error(
                {"total_available_places": ["Places can only be increased."]}
            )
        study["total_available_places"] = places
        rules.settle(study, self.state.subs(study_id), False)
        return 200, study

    def GET_study_submissions(
        self, body: Any, query: dict[str, list[str]], study_id: str
    ) -> tuple[int, Any]:
        if study_id not in self.state.studies:
            return err(404, "Not found", f"study {study_id} not found")
        subs = [{k: v for k, v in s.items() if k != "study_id"} for s in self.state.subs(study_id)]
        return 200, self._page(subs, query)

    # --- submissions --------------------------------------------------------------------------

    def POST_submission_transition(self, body: Any, query: Any, sid: str) -> tuple[int, Any]:
        sub = self.state.submissions.get(sid)
        if sub is None:
            return err(404, "Not found", f"submission {sid} not found")
        body = body or {}
        action = body.get("action")
        if action not in ("APPROVE", "REJECT"):
            return rules.validation_error({"action": [f"Bad action {action!r}."]})
        target = "APPROVED" if action == "APPROVE" else "REJECTED"
        if sub["status"] == target:
            return 200, {k: sub[k] for k in ("id", "status", "participant_id")}  # idempotent
        if sub["status"] != "AWAITING REVIEW":
            return err(400, "Invalid transition", f"cannot {action} a {sub['status']} submission")
        if action == "REJECT":
            if len(str(body.get("message", ""))) < 100:
                return rules.validation_error({"message": ["At least 100 characters."]})
            if body.get("rejection_category") not in rules.REJECTION_CATEGORIES:
                return rules.validation_error({"rejection_category": ["Bad category."]})
        study = self.state.studies.get(sub["study_id"])
        subs = self.state.subs(sub["study_id"])
        full = study is not None and rules.is_full(study, subs)
        sub["status"] = target
        if study is not None:
            rules.settle(study, subs, full and action == "REJECT")
        return 200, {k: sub[k] for k in ("id", "status", "participant_id")}

    def POST_bulk_approve(self, body: Any, query: Any) -> tuple[int, Any]:
        ids = (body or {}).get("submission_ids")
        if not isinstance(ids, list) or not ids:
            return rules.validation_error({"submission_ids": ["This field is required."]})
        touched = set()
        for sid in ids:
            sub = self.state.submissions.get(sid)
            if sub is not None and sub["status"] == "AWAITING REVIEW":
                sub["status"] = "APPROVED"
                touched.add(sub["study_id"])
        for study_id in touched:
            study = self.state.studies.get(study_id)
            if study is not None:
                rules.settle(study, self.state.subs(study_id), False)
        return 200, "The request to bulk approve has been made successfully."

    def POST_request_return(self, body: Any, query: Any, sid: str) -> tuple[int, Any]:
        sub = self.state.submissions.get(sid)
        if sub is None:
            return err(404, "Not found", f"submission {sid} not found")
        reasons = (body or {}).get("request_return_reasons")
        if not isinstance(reasons, list) or not reasons:
            return rules.validation_error({"request_return_reasons": ["Required."]})
        sub["return_requested"] = "2026-11-25T16:00:00Z"
        return 200, {
            "id": sid,
            "status": sub["status"],
            "return_requested": sub["return_requested"],
        }

    # --- bonuses ------------------------------------------------------------------------------

    def POST_bonus_payments(self, body: Any, query: Any) -> tuple[int, Any]:
        study_id = (body or {}).get("study_id")
        if study_id not in self.state.studies:
            return rules.validation_error({"study_id": [f"Unknown study {study_id!r}."]})
        lines, problem = rules.parse_bonuses(
            (body or {}).get("csv_bonuses"), self.state.subs(study_id)
        )
        if problem is not None:
            return problem
        bonus_id = uuid.uuid4().hex[:24]
        amount = sum(a for _, _, a in lines) / 100
        self.state.bonuses[bonus_id] = {"id": bonus_id, "study": study_id, "lines": lines}
        return 201, {
            "id": bonus_id,
            "study": study_id,
            "amount": amount,
            "fees": round(amount / 3, 2),
            "total_amount": round(amount * 4 / 3, 2),
            "vat": 0.0,
        }

    def POST_pay_bonus(self, body: Any, query: Any, bonus_id: str) -> tuple[int, Any]:
        bonus = self.state.bonuses.get(bonus_id)
        if bonus is None:
            return err(404, "Not found", f"bulk bonus payment {bonus_id} not found")
        self.state.paid.extend(bonus["lines"])  # not idempotent: every call pays again
        return 202, "Successfully processed bonus payments."

    # --- plumbing -----------------------------------------------------------------------------

    def _page(self, items: list[Any], query: dict[str, list[str]]) -> dict[str, Any]:
        host, port = self.server.server_address[:2]
        origin = f"http://{host!s}:{port}"
        path = urlsplit(self.path).path
        return rules.page(items, query, origin + path, self.state.page_size, self.state.links)

    def _fail(self, failure: Failure) -> None:
        status, data = err(failure.status, "Injected failure", "the stand-in was told to fail")
        self._send(status, data, failure.headers)

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


ROUTES = (
    (r"/api/v1/studies/", "POST_studies"),
    (r"/api/v1/studies/", "GET_studies"),
    (r"/api/v1/filters/", "GET_filters"),
    (r"/api/v1/studies/([^/]+)/", "GET_study"),
    (r"/api/v1/studies/([^/]+)/", "PATCH_study"),
    (r"/api/v1/studies/([^/]+)/transition/", "POST_study_transition"),
    (r"/api/v1/studies/([^/]+)/submissions/", "GET_study_submissions"),
    (r"/api/v1/submissions/bulk-approve/", "POST_bulk_approve"),
    (r"/api/v1/submissions/bonus-payments/", "POST_bonus_payments"),
    (r"/api/v1/submissions/([^/]+)/transition/", "POST_submission_transition"),
    (r"/api/v1/submissions/([^/]+)/request-return/", "POST_request_return"),
    (r"/api/v1/bulk-bonus-payments/([^/]+)/pay/", "POST_pay_bonus"),
)


@contextmanager
def prolific_standin(
    token: str = "test-token", page_size: int = 2, links: Links = "root"
) -> Iterator[ProlificStandin]:
    """Run the stand-in on a free loopback port for the duration of the block."""
    state = StandinState(token=token, page_size=page_size, links=links)
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield ProlificStandin(server, state)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
