"""The survey app as a real uvicorn subprocess on a free loopback port (for browser, restart
and load tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SECRET = "k" * 32  # the same key as tests.surveys.conftest.KEY
TOKEN = "researcher-token-for-tests-0123456789"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, db_url: str, port: int, log: Path) -> None:
        self.db_url, self.port, self.log = db_url, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PERSUASION_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
        cmd = [
            sys.executable, "-m", "cli.main", "survey", "serve", "--db", self.db_url,
            "--port", str(self.port), "--researcher-token", TOKEN,
            "--starts-per-minute", "100000",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=log)
        for _ in range(300):  # bounded: 30 s
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; only what was committed survives."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def live_server(db_url: str, log: Path) -> Iterator[LiveServer]:
    server = LiveServer(db_url, free_port(), log)
    server.start()
    try:
        yield server
    finally:
        server.stop()
