"""Settings of one running survey app (frozen; built once by `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppSettings:
    """`key`: the secret for keyed hashes and CSRF tokens (surveys/hashing.py).
    `researcher_token`: opens the dashboard and the export ('' disables them).
    `secure_cookies`: mark cookies Secure (set when served over HTTPS).
    `starts_per_minute`: new sessions allowed per client address per minute."""

    key: bytes
    researcher_token: str = ""
    secure_cookies: bool = False
    starts_per_minute: int = 30
