"""Running the app in-process on a loopback port (for the simulated platform and benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter

from study.store import Store
from surveys.app import AppSettings, create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proxy_options(forwarded_allow_ips: str) -> dict[str, Any]:
    """uvicorn's proxy settings: trust X-Forwarded-For/-Proto only from the given
    comma-separated addresses. uvicorn itself trusts 127.0.0.1 by default, which would let any
    local client pick the address the rate limiter sees; here the default is no one."""
    trusted = [ip.strip() for ip in forwarded_allow_ips.split(",") if ip.strip()]
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


@contextmanager
def serve_in_thread(
    store: Store,
    settings: AppSettings,
    routers: Sequence[APIRouter] = (),
    forwarded_allow_ips: str = "",
) -> Iterator[str]:
    """Serve the app with uvicorn in a background thread on 127.0.0.1; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(store, settings, routers),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **proxy_options(forwarded_allow_ips),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="survey-server", daemon=True)
    thread.start()
    for _ in range(300):  # bounded: 30 s
        if server.started:
            break
        time.sleep(0.1)
    else:
        server.should_exit = True
        raise RuntimeError("the survey app did not start within 30 s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
