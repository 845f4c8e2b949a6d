"""Keyed hashes and tokens.

Platform participant ids are stored only as HMAC-SHA256 hashes under a secret key, so a leaked
store does not reveal who took part and the ids never reach exports. The key is, in order:

1. the environment variable `PERSUASION_SECRET` (at least 32 characters), or
2. a key file next to a SQLite store (`STORE.db.key`, created on first use with mode 0600), or
3. for a PostgreSQL store, `~/.config/persuasion/secret.key` (created the same way).

Keep the key with the store's backups: without it a returning participant cannot be matched
to their earlier session. Session tokens are random (256 bits); only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from common import UsageError

SECRET_ENV = "PERSUASION_SECRET"
MIN_SECRET_CHARS = 32


def key_file_for(store_url: str) -> Path:
    """Where the key lives for a store without $PERSUASION_SECRET."""
    if store_url.startswith("sqlite") and ":///" in store_url:
        db = store_url.split(":///", 1)[1]
        if db and db != ":memory:":
            return Path(db + ".key")
    return Path.home() / ".config" / "persuasion" / "secret.key"


def load_secret(store_url: str) -> bytes:
    """The secret key for a store (see the module docstring); creates the key file once."""
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < MIN_SECRET_CHARS:
            raise UsageError(
                f"{SECRET_ENV} has {len(env)} characters; use at least {MIN_SECRET_CHARS}, "
                'for example: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return env.encode()
    path = key_file_for(store_url)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def keyed_hash(key: bytes, value: str, purpose: str = "platform-id") -> str:
    """HMAC-SHA256 of `value` under `key`, separated by purpose; 64 hex characters."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    """An unguessable token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
