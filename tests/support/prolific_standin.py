"""A loopback stand-in for the parts of Prolific's API the pipeline uses, for tests.

It listens on 127.0.0.1 (a free port), checks `Authorization: Token <key>`, keeps studies and
submissions in memory, records every request, answers errors in Prolific's shape
(`{"error": {"status", "error_code", "title", "detail"}}`), and can be told to fail the next
requests (for example 429 with `Retry-After`, or 503) to test retries.
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

REQUIRED_STUDY_FIELDS = (
    "name",
    "description",
    "external_study_url",
    "completion_codes",
    "total_available_places",
    "reward",
    "estimated_completion_time",
)
REJECTION_CATEGORIES = {
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
}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class StandinState:
    token: str
    page_size: int = 2
    studies: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


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
    ) -> None:
        """Answer the next `times` requests (whose path matches the regex `path`, if given)
        with `status`, before any other check."""
        with self.state.lock:
            self.state.failures.extend([(path, status, headers or {})] * times)

    def add_submission(
        self,
        study_id: str,
        status: str = "AWAITING REVIEW",
        submission_id: str | None = None,
        participant_id: str | None = None,
        study_code: str = "",
    ) -> str:
        sid = submission_id or uuid.uuid4().hex[:24]
        with self.state.lock:
            self.state.submissions[sid] = {
                "id": sid,
                "study_id": study_id,
                "participant_id": participant_id or uuid.uuid4().hex[:24],
                "status": status,
                "started_at": "2026-11-25T15:00:00.000000Z",
                "completed_at": None
                if status in ("ACTIVE", "RESERVED")
                else "2026-11-25T15:12:00Z",
                "study_code": study_code or None,
                "return_requested": None,
                "has_siblings": False,
            }
        return sid

    def submission(self, sid: str) -> dict[str, Any]:
        return dict(self.state.submissions[sid])


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
            due = [f for f in st.failures if re.search(f[0], self.path)]
            failure = due[0] if due else None
            if failure is not None:
                st.failures.remove(failure)
        if failure is not None:
            _, status, headers = failure
            return self._error(status, "Injected failure", "the stand-in was told to fail", headers)
        if self.headers.get("Authorization") != f"Token {st.token}":
            return self._error(401, "Unauthorized", "Invalid token.")
        url = urlsplit(self.path)
        for pattern, name in ROUTES:
            m = re.fullmatch(pattern, url.path)
            if m and name.startswith(method):
                with st.lock:
                    status, data = getattr(self, name)(body, parse_qs(url.query), *m.groups())
                return self._send(status, data)
        return self._error(404, "Not found", f"no route for {method} {url.path}")

    # --- routes -------------------------------------------------------------------------------

    def POST_studies(self, body: Any, query: dict[str, list[str]]) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return _err(400, "Request validation failed", "expected a JSON object")
        missing = {k: ["This field is required."] for k in REQUIRED_STUDY_FIELDS if k not in body}
        if missing:
            return _err(400, "Request validation failed", missing)
        if not isinstance(body["reward"], int) or body["reward"] <= 0:
            return _err(400, "Request validation failed", {"reward": ["Must be pence (int > 0)."]})
        if not str(body["external_study_url"]).startswith(("http://", "https://")):
            return _err(400, "Request validation failed", {"external_study_url": ["Bad URL."]})
        study_id = uuid.uuid4().hex[:24]
        study = dict(body, id=study_id, status="UNPUBLISHED")
        self.state.studies[study_id] = study
        return 201, study

    def POST_study_transition(self, body: Any, query: Any, study_id: str) -> tuple[int, Any]:
        study = self.state.studies.get(study_id)
        if study is None:
            return _err(404, "Not found", f"study {study_id} not found")
        action = (body or {}).get("action")
        allowed = {"PUBLISH": ("UNPUBLISHED",), "STOP": ("ACTIVE", "PAUSED", "AWAITING REVIEW")}
        if action not in allowed:
            return _err(400, "Request validation failed", {"action": [f"Bad action {action!r}."]})
        if action == "PUBLISH" and study["status"] == "ACTIVE":
            return 200, study  # publishing twice is harmless
        if study["status"] not in allowed[action]:
            return _err(400, "Invalid transition", f"cannot {action} a {study['status']} study")
        study["status"] = "ACTIVE" if action == "PUBLISH" else "COMPLETED"
        return 200, study

    def PATCH_study(self, body: Any, query: Any, study_id: str) -> tuple[int, Any]:
        study = self.state.studies.get(study_id)
        if study is None:
            return _err(404, "Not found", f"study {study_id} not found")
        places = (body or {}).get("total_available_places")
        if set(body or {}) - {"total_available_places", "internal_name"}:
            return _err(400, "Invalid update", "a published study only takes new places or name")
        if not isinstance(places, int) or places < study["total_available_places"]:
            return _err(
                400,
                "Request validation failed",
                {"total_available_places": ["Places can only be increased."]},
            )
        study["total_available_places"] = places
        return 200, study

    def GET_study_submissions(
        self, body: Any, query: dict[str, list[str]], study_id: str
    ) -> tuple[int, Any]:
        if study_id not in self.state.studies:
            return _err(404, "Not found", f"study {study_id} not found")
        subs = [s for s in self.state.submissions.values() if s["study_id"] == study_id]
        page = int(query.get("page", ["1"])[0])
        size = self.state.page_size
        chunk = subs[(page - 1) * size : page * size]
        host, port = self.server.server_address[:2]
        nxt = (
            {"href": f"http://{host!s}:{port}{urlsplit(self.path).path}?page={page + 1}"}
            if page * size < len(subs)
            else None
        )
        results = [{k: v for k, v in s.items() if k != "study_id"} for s in chunk]
        return 200, {"results": results, "_links": {"next": nxt}, "meta": {"count": len(subs)}}

    def POST_submission_transition(self, body: Any, query: Any, sid: str) -> tuple[int, Any]:
        sub = self.state.submissions.get(sid)
        if sub is None:
            return _err(404, "Not found", f"submission {sid} not found")
        body = body or {}
        action = body.get("action")
        if action not in ("APPROVE", "REJECT"):
            return _err(400, "Request validation failed", {"action": [f"Bad action {action!r}."]})
        if sub["status"] != "AWAITING REVIEW":
            return _err(400, "Invalid transition", f"cannot {action} a {sub['status']} submission")
        if action == "REJECT":
            if len(str(body.get("message", ""))) < 100:
                return _err(400, "Request validation failed", {"message": ["At least 100 chars."]})
            if body.get("rejection_category") not in REJECTION_CATEGORIES:
                return _err(
                    400, "Request validation failed", {"rejection_category": ["Bad category."]}
                )
        sub["status"] = "APPROVED" if action == "APPROVE" else "REJECTED"
        return 200, {k: sub[k] for k in ("id", "status", "participant_id")}

    def POST_request_return(self, body: Any, query: Any, sid: str) -> tuple[int, Any]:
        sub = self.state.submissions.get(sid)
        if sub is None:
            return _err(404, "Not found", f"submission {sid} not found")
        reasons = (body or {}).get("request_return_reasons")
        if not isinstance(reasons, list) or not reasons:
            return _err(400, "Request validation failed", {"request_return_reasons": ["Required."]})
        sub["return_requested"] = "2026-11-25T16:00:00Z"
        return 200, {
            "id": sid,
            "status": sub["status"],
            "return_requested": sub["return_requested"],
        }

    # --- plumbing -----------------------------------------------------------------------------

    def _error(
        self, status: int, title: str, detail: Any, headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, _err(status, title, detail)[1], headers)

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
    (r"/api/v1/studies/([^/]+)/", "PATCH_study"),
    (r"/api/v1/studies/([^/]+)/transition/", "POST_study_transition"),
    (r"/api/v1/studies/([^/]+)/submissions/", "GET_study_submissions"),
    (r"/api/v1/submissions/([^/]+)/transition/", "POST_submission_transition"),
    (r"/api/v1/submissions/([^/]+)/request-return/", "POST_request_return"),
)


def _err(status: int, title: str, detail: Any) -> tuple[int, Any]:
    return status, {
        "error": {"status": status, "error_code": status * 1000, "title": title, "detail": detail}
    }


@contextmanager
def prolific_standin(token: str = "test-token", page_size: int = 2) -> Iterator[ProlificStandin]:
    """Run the stand-in on a free loopback port for the duration of the block."""
    state = StandinState(token=token, page_size=page_size)
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
