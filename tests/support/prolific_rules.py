"""What Prolific's documentation says a study and its submissions do, as plain functions over
the stand-in's in-memory state (tests/support/prolific_standin.py serves them over HTTP).

From docs.prolific.com ("The study object", "Pausing & stopping a study", "Bulk approve
submissions", "Set up bonuses", "Pay bonuses"):
- a study needs name, description, external_study_url, prolific_id_option, completion_codes,
  total_available_places, reward (an integer in minor units), estimated_completion_time and
  filters (a list, maybe empty); completion codes carry documented actions;
- a study whose places are all filled and reviewed (approved) becomes COMPLETED by itself; when
  every place is taken and nobody is still working it is AWAITING REVIEW;
- a full study that loses a submission awaiting review (rejected, or returned by the
  participant) is PAUSED by Prolific and recruits again only after START;
- STOP is refused on a COMPLETED study; places only ever increase;
- approving or rejecting the same submission twice is ignored (idempotent), but a reviewed
  submission cannot be reviewed the other way;
- bonuses are set up from `<submission or participant id>,<amount>` lines (amount in major
  units) and paid by a separate call that is NOT idempotent: each call pays again.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

REQUIRED_STUDY_FIELDS = (
    "name",
    "description",
    "external_study_url",
    "prolific_id_option",
    "completion_codes",
    "total_available_places",
    "reward",
    "estimated_completion_time",
    "filters",
)
CODE_TYPES = {"COMPLETED", "FAILED_ATTENTION_CHECK", "FOLLOW_UP_STUDY", "GIVE_BONUS", "OTHER"}
CODE_ACTIONS = {
    "MANUALLY_REVIEW",
    "AUTOMATICALLY_APPROVE",
    "AUTOMATICALLY_REJECT",
    "ADD_TO_PARTICIPANT_GROUP",
    "REMOVE_FROM_PARTICIPANT_GROUP",
    "REQUEST_RETURN",
    "DYNAMIC_PAYMENT",
}
REJECTION_CATEGORIES = {
    "TOO_QUICKLY",
    "TOO_SLOWLY",
    "FAILED_INSTRUCTIONS",
    "INCOMP_LONGITUDINAL",
    "FAILED_CHECK",
    "LOW_EFFORT",
    "MALINGERING",
    "NO_CODE",
    "BAD_CODE",
    "NO_DATA",
    "UNSUPP_DEVICE",
    "OTHER",
}
TAKING = {"RESERVED", "ACTIVE", "AWAITING REVIEW", "APPROVED", "PARTIALLY APPROVED"}
WORKING = {"RESERVED", "ACTIVE"}
Links = Literal["absolute", "root", "relative"]
AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def validation_error(detail: Any) -> tuple[int, Any]:
    return err(400, "Request validation failed", detail)


def err(status: int, title: str, detail: Any) -> tuple[int, Any]:
    return status, {
        "error": {"status": status, "error_code": status * 1000, "title": title, "detail": detail}
    }


def check_study(body: Any) -> tuple[int, Any] | None:
    """The study-creation body's problems in Prolific's error shape, or None."""
    if not isinstance(body, dict):
        return validation_error("expected a JSON object")
    missing = {k: ["This field is required."] for k in REQUIRED_STUDY_FIELDS if k not in body}
    if missing:
        return validation_error(missing)
    if not isinstance(body["reward"], int) or body["reward"] <= 0:
        return validation_error({"reward": ["A positive integer in minor units (pence/cents)."]})
    if not str(body["external_study_url"]).startswith(("http://", "https://")):
        return validation_error({"external_study_url": ["Enter a valid URL."]})
    if not isinstance(body["filters"], list) or not all(_filter_ok(f) for f in body["filters"]):
        return validation_error(
            {"filters": ["A list of {filter_id, selected_values | selected_range}."]}
        )
    limit = body.get("maximum_allowed_time")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return validation_error({"maximum_allowed_time": ["A positive number of minutes."]})
    codes = body["completion_codes"]
    if not isinstance(codes, list) or not codes or not all(_code_ok(c) for c in codes):
        return validation_error(
            {"completion_codes": ["Each code needs code, code_type and documented actions."]}
        )
    return None


def _filter_ok(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("filter_id"), str):
        return False
    values, bounds = item.get("selected_values"), item.get("selected_range")
    if values is not None:
        return isinstance(values, list) and bool(values) and bounds is None
    return isinstance(bounds, dict) and bool(set(bounds) & {"lower", "upper"})


def _code_ok(code: Any) -> bool:
    if (
        not isinstance(code, dict)
        or not code.get("code")
        or code.get("code_type") not in CODE_TYPES
    ):
        return False
    actions = code.get("actions")
    return isinstance(actions, list) and all(
        isinstance(a, dict) and a.get("action") in CODE_ACTIONS for a in actions
    )


def auto_approves(study: dict[str, Any], code: str) -> bool:
    return any(
        c["code"] == code and {"action": "AUTOMATICALLY_APPROVE"} in c["actions"]
        for c in study["completion_codes"]
    )


def counts(study: dict[str, Any], subs: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "taking": sum(s["status"] in TAKING for s in subs),
        "working": sum(s["status"] in WORKING for s in subs),
        "awaiting": sum(s["status"] == "AWAITING REVIEW" for s in subs),
        "approved": sum(s["status"] in ("APPROVED", "PARTIALLY APPROVED") for s in subs),
    }


def settle(study: dict[str, Any], subs: list[dict[str, Any]], was_full: bool) -> None:
    """The study's automatic transitions after its submissions changed."""
    n = counts(study, subs)
    places = study["total_available_places"]
    if study["status"] not in ("ACTIVE", "AWAITING REVIEW"):
        return
    if was_full and n["taking"] < places:
        study["status"] = "PAUSED"  # a full study lost a submission: Prolific pauses it
    elif n["approved"] >= places:
        study["status"] = "COMPLETED"
    elif n["taking"] >= places and n["working"] == 0 and n["awaiting"]:
        study["status"] = "AWAITING REVIEW"
    elif n["taking"] < places:
        study["status"] = "ACTIVE"


def is_full(study: dict[str, Any], subs: list[dict[str, Any]]) -> bool:
    return counts(study, subs)["taking"] >= study["total_available_places"]


def study_transition(
    study: dict[str, Any], action: Any, subs: list[dict[str, Any]]
) -> tuple[int, Any] | None:
    """Apply PUBLISH, PAUSE, START or STOP; an error tuple when Prolific would refuse."""
    allowed = {
        "PUBLISH": ("UNPUBLISHED",),
        "PAUSE": ("ACTIVE",),
        "START": ("PAUSED",),
        "STOP": ("ACTIVE", "PAUSED", "AWAITING REVIEW", "SCHEDULED"),
    }
    if action not in allowed:
        return validation_error({"action": [f"Bad action {action!r}."]})
    if study["status"] not in allowed[action]:
        return err(400, "Invalid transition", f"cannot {action} a {study['status']} study")
    if action in ("PUBLISH", "START"):
        study["status"] = "ACTIVE"
        settle(study, subs, False)
    elif action == "PAUSE":
        study["status"] = "PAUSED"
    else:
        awaiting = any(s["status"] == "AWAITING REVIEW" for s in subs)
        study["status"] = "AWAITING REVIEW" if awaiting else "COMPLETED"
        study["stopped"] = True
    return None


def parse_bonuses(
    csv: Any, subs: list[dict[str, Any]]
) -> tuple[list[tuple[str, str, int]], tuple[int, Any] | None]:
    """(submission id, participant id, amount in minor units) per CSV line, or the 400 that
    names the lines whose ids did not take part in the study."""
    if not isinstance(csv, str) or not csv.strip():
        return [], validation_error({"csv_bonuses": ["This field is required."]})
    by_id = {s["id"]: s for s in subs} | {s["participant_id"]: s for s in subs}
    out, bad = [], []
    for line in csv.strip().split("\n"):
        ident, _, amount = line.strip().partition(",")
        sub = by_id.get(ident)
        if sub is None or not AMOUNT.match(amount) or float(amount) <= 0:
            bad.append(line)
            continue
        major, _, minor = amount.partition(".")
        out.append((sub["id"], sub["participant_id"], int(major) * 100 + int(minor.ljust(2, "0"))))
    if bad:
        return [], validation_error({"csv_bonuses": [f"Invalid lines: {bad}"]})
    return out, None


def page(
    items: list[Any], query: dict[str, list[str]], url: str, size: int, links: Links
) -> dict[str, Any]:
    """One page of a list, its `next` link absolute, root-relative (what Prolific sends) or
    relative to the page."""
    number = int(query.get("page", ["1"])[0])
    path = urlsplit(url).path
    href = {
        "absolute": f"{url}?page={number + 1}",
        "root": f"{path}?page={number + 1}",
        "relative": f"?page={number + 1}",
    }[links]
    return {
        "results": items[(number - 1) * size : number * size],
        "_links": {"next": {"href": href} if number * size < len(items) else None},
        "meta": {"count": len(items)},
    }
