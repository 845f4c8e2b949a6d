"""Security at the edge: CSRF tokens, cookies, rate limits, response headers and the one error
shape (an HTML error page, or JSON `{"error": {"status", "code", "message"}}` for clients
that accept JSON). No stack trace ever reaches a participant."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from surveys.hashing import same
from surveys.pages import FormError, ascii_int

SESSION_COOKIE = "ps_session"
WRITER_COOKIE = "ps_writer"
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def csrf_token(key: bytes, cookie: str) -> str:
    """The CSRF token bound to one cookie value (so a token is useless with another session)."""
    return hmac.new(key, f"csrf\x00{cookie}".encode(), hashlib.sha256).hexdigest()


def check_csrf(key: bytes, cookie: str, posted: str | None) -> None:
    if not posted or not same(posted, csrf_token(key, cookie)):
        raise FormError(
            "csrf", "This form has expired or did not come from this site; reload the page.", 403
        )


def set_cookie(response: Response, name: str, value: str, secure: bool) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="lax", secure=secure, path="/", max_age=7 * 86400
    )


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window in memory)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # bound memory: forget idle keys
                for k in [k for k, v in self._seen.items() if not v]:
                    del self._seen[k]
            return True


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def error_response(
    request: Request, templates: Jinja2Templates, status: int, code: str, message: str
) -> Response:
    """The one error shape: JSON for clients that accept it, else the error page."""
    if wants_json(request):
        body = {"error": {"status": status, "code": code, "message": message}}
        return JSONResponse(body, status_code=status, headers=HEADERS)
    page = templates.get_template("error.html").render(
        title="Sorry", status=status, code=code, message=message
    )
    return HTMLResponse(page, status_code=status, headers=HEADERS)


MAX_BODY = 256 * 1024  # the longest writing task is 20,000 characters


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse oversized or unannounced-length posts; add the security headers to every answer."""
    if request.method == "POST":
        length = ascii_int(request.headers.get("content-length"), 9)
        if length is None or length > MAX_BODY:
            return error_response(
                request,
                request.app.state.templates,
                413,
                "too_large",
                "This form is too large to accept; shorten your text and send it again.",
            )
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"
