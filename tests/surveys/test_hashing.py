"""Keyed hashes: the key comes from $PERSUASION_SECRET or a private key file made once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from surveys.hashing import key_file_for, keyed_hash, load_secret


def test_key_file_is_created_once_next_to_a_sqlite_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PERSUASION_SECRET", raising=False)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    first, second = load_secret(url), load_secret(url)
    path = key_file_for(url)
    assert path == tmp_path / "study.db.key" and first == second and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_from_the_environment_must_be_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSUASION_SECRET", "short")
    with pytest.raises(ValueError, match="PERSUASION_SECRET has 5 characters; use at least 32"):
        load_secret("sqlite:///x.db")
    monkeypatch.setenv("PERSUASION_SECRET", "s" * 40)
    assert load_secret("sqlite:///x.db") == b"s" * 40


def test_hashes_depend_on_key_and_purpose() -> None:
    a = keyed_hash(b"a" * 32, "PID1")
    assert a != keyed_hash(b"b" * 32, "PID1")
    assert a != keyed_hash(b"a" * 32, "PID1", "researcher")
    assert len(a) == 64 and "PID1" not in a
