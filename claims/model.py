"""The claim model: what a participant is asked to rate, before and after an argument."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

from common import UnknownName

Stance = Literal["support", "oppose", "fact"]
Kind = Literal["opinion", "control"]
STANCES: tuple[str, ...] = ("support", "oppose", "fact")
KINDS: tuple[str, ...] = ("opinion", "control")


@dataclass(frozen=True)
class Claim:
    """One claim. Opinion claims come in pairs per topic (support/oppose); control claims
    state an indisputable fact and are shown with an argument against it (direction -1)."""

    id: str
    topic: str
    stance: Stance
    kind: Kind
    text: str


@dataclass(frozen=True)
class ClaimSet:
    """A validated claim set with its provenance: name, source file and content hash."""

    name: str
    claims: tuple[Claim, ...]
    source: str
    description: str = ""

    @property
    def content_hash(self) -> str:
        """SHA-256 over the claims' content (not the file's formatting), recorded with every
        study that uses the set, so two files with the same claims share one hash."""
        payload = json.dumps([asdict(c) for c in self.claims], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def opinion(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.kind == "opinion")

    @property
    def control(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.kind == "control")

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.topic for c in self.opinion))

    def get(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise UnknownName(f"claim {claim_id!r} is not in claim set {self.name!r}")
