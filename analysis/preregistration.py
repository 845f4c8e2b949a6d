"""Pre-registration: the analysis plan as a document fixed before fieldwork, its hash, and the
deviations between what was registered and what was run.

The document (`registration_document`) is built from the study file alone: the hypotheses as
the pre-registered contrasts (each model writer against the reference writer: superiority with
Holm across the family, equivalence by TOST within the smallest effect of interest), the
exclusion rules, the analysis plan, the sample size with its simulated power. Its hash is the
SHA-256 of its canonical JSON (sorted keys, no whitespace), so the same plan gives the same
hash whatever the file's comments. The store keeps it as a `preregistration.locked` event;
`fieldwork.require_preregistration` refuses the first wave on a real platform without one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from claims import ClaimSet
from study import Study
from study.store import events_of

LOCKED = "preregistration.locked"
OVERRIDDEN = "preregistration.overridden"
MISSING_HUMANS = "wave.missing_humans"  # written by fieldwork when --allow-missing-humans opens
INTERIM = "analysis.interim"
FORMAT = 1
NOT_COMPARED = ("power", "registered_by", "description")


@dataclass(frozen=True)
class Registration:
    """What the store says about a study's pre-registration (read by the report)."""

    hash: str = ""  # "" when the study was never registered
    document: dict[str, Any] = field(default_factory=dict)
    overridden_waves: tuple[int, ...] = ()  # waves opened with --without-preregistration
    interim_looks: tuple[dict[str, Any], ...] = ()  # oldest first
    missing_humans: tuple[tuple[int, int], ...] = ()  # (wave, empty human writer slots)


def claim_info(claims: ClaimSet) -> dict[str, Any]:
    """The claim set as the registration records it: name, content hash, opinion claims."""
    n = sum(1 for c in claims.claims if c.kind != "control")
    return {"name": claims.name, "hash": claims.content_hash, "claims": n}


def registration_document(
    study: Study,
    claims: ClaimSet | dict[str, Any],
    power: dict[str, Any] | None = None,
    by: str = "researcher",
) -> dict[str, Any]:
    """The pre-registration of `study` as a JSON-able document (see the module doc);
    `claims` is the claim set or its `claim_info`."""
    plan, ex, part = study.analysis, study.exclusions, study.participants
    models = [w for w in study.writers if w.kind == "model"]
    info = claims if isinstance(claims, dict) else claim_info(claims)
    bound = plan.smallest_effect
    return {
        "format": FORMAT,
        "study": study.name,
        "description": study.study.description,
        "registered_by": by,
        "claim_set": info,
        "writers": [
            {"id": w.id, "kind": w.kind, "model": w.model, "class": w.model_class, "order": w.order}
            for w in study.writers
        ],
        "hypotheses": [
            {
                "contrast": f"{w.id} vs {plan.reference}",
                "superiority": "two-sided ANCOVA t-test, Holm across the model contrasts",
                "equivalence": f"TOST within ±{bound:g} scale points",
            }
            for w in models
        ],
        "smallest_effect": bound,
        "exclusions": {
            "max_failed_attention_checks": ex.max_failed_attention_checks,
            "min_reading_fraction": ex.min_reading_fraction,
        },
        "analysis": {
            "reference": plan.reference,
            "confidence": plan.confidence,
            "primary": "after ~ writer + C(before) + C(claim), SEs clustered by claim "
            "(two-way with participant when participants rate several items)",
            "grid": "writer x strategy cells, Benjamini-Hochberg",
            "bootstrap_resamples": plan.bootstrap_resamples,
            "interim_looks": plan.interim_looks,
            "seed": study.study.seed,
        },
        "sample": {
            "claims": info["claims"],
            "raters_per_argument": part.per_argument,
            "items_per_participant": part.items_per_participant,
        },
        "power": power,
        **design_sections(study),
    }


def design_sections(study: Study) -> dict[str, Any]:
    """The registered plans of the newer designs, present only in studies that use them (so
    a study without them keeps the document, and the hash, it always had): the format
    contrast of each model with a conversation and a static writer, and the follow-up."""
    out: dict[str, Any] = {}
    static = {w.model: w.id for w in study.writers if w.kind == "model" and w.format == "static"}
    pairs = [
        f"{w.id} vs {static[w.model]}"
        for w in study.writers
        if w.format == "conversation" and w.model in static
    ]
    if pairs:
        out["format_contrasts"] = {
            "contrasts": pairs,
            "model": "after ~ writer (reference: the static writer) + C(before) + C(claim) on "
            "the pair's ratings, clustered SEs, Holm across models",
            "exploratory": "persuasion ~ turns and ~ reply words / 100, claim fixed effects "
            "(associations: participants choose how long to converse)",
        }
    if study.follow_up is not None:
        out["follow_up"] = {
            "after_days": study.follow_up.after_days,
            "open_days": study.follow_up.open_days,
            "estimand": "share = mean(direction x (follow-up - before)) / mean(direction x "
            "(after - before)) per arm, on the ratings answered again",
            "interval": "percentile bootstrap over participants",
        }
    return out


def _design_lines(document: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    formats = document.get("format_contrasts")
    if formats:
        lines += ["", "## Conversation vs static", ""]
        lines += [f"- {c}: {formats['model']};" for c in formats["contrasts"]]
        lines += [f"- exploratory: {formats['exploratory']}."]
    follow = document.get("follow_up")
    if follow:
        lines += [
            "",
            "## Follow-up",
            "",
            f"Participants are asked again {follow['after_days']} days after their wave closed "
            f"(open {follow['open_days']} days); {follow['estimand']}, {follow['interval']}.",
        ]
    return lines


def canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def registration_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document).encode("utf-8")).hexdigest()


def registration_markdown(document: dict[str, Any], digest: str) -> str:
    """preregistration.md: the document in words, with its hash."""
    a, s = document["analysis"], document["sample"]
    lines = [
        f"# Pre-registration: {document['study']}",
        "",
        f"SHA-256 of the registered plan (canonical JSON): `{digest}`",
        "",
        "## Hypotheses (the pre-registered contrasts)",
        "",
    ]
    lines += [
        f"- {h['contrast']}: {h['superiority']}; {h['equivalence']}."
        for h in document["hypotheses"]
    ] or ["- (no model writers)"]
    ex = document["exclusions"]
    lines += [
        "",
        "## Smallest effect of interest",
        "",
        f"±{document['smallest_effect']:g} scale points on the 1-7 scale.",
        "",
        "## Exclusion rules",
        "",
        f"- more than {ex['max_failed_attention_checks']} failed attention check(s) excludes "
        "a participant;",
        f"- reading time below {ex['min_reading_fraction']:g} of the expected time excludes a "
        "rating.",
        "",
        "## Analysis plan",
        "",
        f"- primary: {a['primary']}; reference writer {a['reference']}; "
        f"confidence {a['confidence']:g};",
        f"- exploratory: {a['grid']};",
        f"- descriptive: claim-resampling bootstrap, {a['bootstrap_resamples']} resamples, "
        f"seed {a['seed']};",
        f"- interim looks declared: {a['interim_looks']}.",
        "",
        "## Sample size",
        "",
        f"{s['claims']} opinion claims (claim set {document['claim_set']['name']}, hash "
        f"`{document['claim_set']['hash'][:12]}`), {s['raters_per_argument']} raters per "
        f"argument, {s['items_per_participant']} items per participant.",
    ]
    lines += _design_lines(document)
    power = document.get("power")
    if power:
        lines += [
            "",
            f"Simulated power ({power['reps']} simulated studies of the primary ANCOVA): "
            f"{power['difference']:.2f} to detect a difference of ±{document['smallest_effect']:g}"
            f", {power['equivalence']:.2f} to show equivalence when there is none.",
        ]
    else:
        lines += ["", "Power: not simulated for this registration."]
    return "\n".join(lines) + "\n"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out |= _flatten(inner, f"{prefix}{key}.")
        return out
    return {prefix.rstrip("."): value}


def deviations(registered: dict[str, Any], run: dict[str, Any]) -> list[str]:
    """Every difference between the registered plan and the plan that was run, in words."""
    out = []
    reg_h = [h["contrast"] for h in registered.get("hypotheses", [])]
    run_h = [h["contrast"] for h in run.get("hypotheses", [])]
    out += [f"contrast {c} was registered but not run" for c in reg_h if c not in run_h]
    out += [f"contrast {c} was run but not registered" for c in run_h if c not in reg_h]
    skip = (*NOT_COMPARED, "hypotheses")
    a = {k: v for k, v in _flatten(registered).items() if k.split(".")[0] not in skip}
    b = {k: v for k, v in _flatten(run).items() if k.split(".")[0] not in skip}
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) != b.get(key):
            out.append(f"{key}: registered {a.get(key)!r}, run with {b.get(key)!r}")
    return out


def report_deviations(registration: Registration, run: dict[str, Any]) -> list[str]:
    """The report's list: plan differences, waves opened without a registration, and interim
    looks beyond those declared."""
    out = []
    if registration.hash:
        out += deviations(registration.document, run)
    for wave in registration.overridden_waves:
        out.append(f"wave {wave} was opened without a pre-registration (--without-preregistration)")
    for wave, slots in registration.missing_humans:
        out.append(
            f"wave {wave} was opened with {slots} human writer slots without a reviewed argument "
            "(--allow-missing-humans): fewer human arguments than planned"
        )
    declared = int(registration.document.get("analysis", {}).get("interim_looks", 0))
    for i, look in enumerate(registration.interim_looks, start=1):
        if i > declared:
            out.append(
                f"interim look {i} ({look.get('at', '?')}, wave {look.get('wave', '?')}, "
                f"{look.get('n_ratings', '?')} ratings) beyond the {declared} declared"
            )
    return out


REAL_PLATFORMS = ("link", "prolific")


def estimates_blinded(study: Study, wave_status: str | None) -> bool:
    """While a wave of real participants is open, per-writer estimates are hidden (live means
    invite optional stopping) unless the pre-registration declares interim looks."""
    real = study.recruitment.platform in REAL_PLATFORMS
    return real and wave_status == "open" and study.analysis.interim_looks == 0


def read_registration(session: Session, study_id: int) -> Registration:
    """The study's pre-registration as the store records it (the newest locked document)."""
    locked = events_of(session, study_id, LOCKED)
    overridden = sorted(
        {int(e.payload.get("wave", 0)) for e in events_of(session, study_id, OVERRIDDEN)}
    )
    looks = [dict(e.payload) for e in reversed(events_of(session, study_id, INTERIM))]
    missing = tuple(
        (int(e.payload.get("wave", 0)), len(e.payload.get("slots", ())))
        for e in reversed(events_of(session, study_id, MISSING_HUMANS))
    )
    if not locked:
        return Registration(
            overridden_waves=tuple(overridden), interim_looks=tuple(looks), missing_humans=missing
        )
    payload = locked[0].payload
    return Registration(
        str(payload["hash"]), dict(payload["document"]), tuple(overridden), tuple(looks), missing
    )


def write_preregistration(
    document: dict[str, Any], digest: str, out_dir: Path
) -> tuple[Path, Path]:
    """Write preregistration.md and preregistration.json (the document with its hash)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "preregistration.md", out_dir / "preregistration.json"
    md.write_text(registration_markdown(document, digest), encoding="utf-8")
    payload = {"sha256": digest, "document": document}
    js.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return md, js


def preregistration_view(
    registration: Registration, study: Study, claim_set_hash: str, n_claims: int
) -> dict[str, Any]:
    """What the report shows: the hash (or why there is none), the deviations between the
    registered plan and the run (`n_claims` opinion claims rated, `claim_set_hash` stored), and
    every interim look."""
    registered = registration.document
    known = registered.get("claim_set", {})
    info = {
        "name": known.get("name", study.study.claims),
        "hash": claim_set_hash or known.get("hash", ""),
        "claims": n_claims,
    }
    run = registration_document(study, info)
    return {
        "hash": registration.hash,
        "registered_by": registered.get("registered_by", ""),
        "deviations": report_deviations(registration, run),
        "interim_looks": list(registration.interim_looks),
        "declared_looks": int(registered.get("analysis", {}).get("interim_looks", 0)),
    }


def preregistration_markdown(view: dict[str, Any]) -> list[str]:
    """The report's pre-registration section as Markdown lines."""
    lines = ["## Pre-registration", ""]
    if view["hash"]:
        lines.append(f"Registered plan SHA-256: `{view['hash']}` ({view['registered_by']}).")
    else:
        lines.append("Not pre-registered: no analysis plan was locked before fieldwork.")
    lines += ["", "Deviations from the registered plan:", ""]
    lines += [f"- {d}" for d in view["deviations"]] or ["- no deviations"]
    looks = view["interim_looks"]
    lines += ["", f"Interim looks: {len(looks)} (declared: {view['declared_looks']})."]
    lines += [f"- wave {look.get('wave')}, {look.get('at')}" for look in looks]
    return lines
