"""Claims: the claim model, claim-set files (bundled sets are package data), their
validation with line-accurate errors, and content hashes for provenance."""

from claims.errors import ClaimSetError, Problem
from claims.files import BUNDLED, bundled_path, load_claim_set
from claims.model import KINDS, STANCES, Claim, ClaimSet

__all__ = [
    "BUNDLED",
    "KINDS",
    "STANCES",
    "Claim",
    "ClaimSet",
    "ClaimSetError",
    "Problem",
    "bundled_path",
    "load_claim_set",
]
