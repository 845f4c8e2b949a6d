"""Prefect artifact keys: one scheme for every artifact a flow publishes."""

from __future__ import annotations

import re


def artifact_key(kind: str, study: str) -> str:
    """`KIND-STUDY` in the characters Prefect allows (lowercase letters, digits and dashes),
    so every study's artifacts have keys of their own."""
    slug = re.sub(r"[^a-z0-9-]+", "-", study.lower()).strip("-") or "study"
    return f"{kind}-{slug}"
