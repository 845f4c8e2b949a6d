"""A loopback stand-in for the survey app's address, as the preflight of `field open` checks it
live: answers HEAD and GET with a chosen status and records the methods it was asked with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Site:
    url: str
    status: int = 200
    head_allowed: bool = True
    seen: list[str] = field(default_factory=list)


@contextmanager
def survey_site(status: int = 200, head_allowed: bool = True) -> Iterator[Site]:
    """Serve on a free loopback port for the duration of the block."""
    site = Site("", status, head_allowed)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, method: str) -> None:
            site.seen.append(method)
            code = 405 if method == "HEAD" and not site.head_allowed else site.status
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:
            self._answer("HEAD")

        def do_GET(self) -> None:
            self._answer("GET")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    site.url = f"http://{host!s}:{port}/s/tiny"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
