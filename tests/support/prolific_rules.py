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

"Filters Overview" and "List all filters" (`GET /api/v1/filters/`): a study's `filters` are
objects `{filter_id, selected_values}` (a `select` filter: values among its choices, or
participant or study ids for the `ParticipantID` / `StudyID` ones) or `{filter_id,
selected_range: {lower, upper}}` (a `range` filter); an unknown filter id, the wrong shape for
its type, or a choice it does not have is refused with a 400. The filter ids below are the
ones public clients of the API send (Prolific's CLI examples, Mephisto, Dallinger and other
published integrations): `current-country-of-residence`, `fluent-languages` (choice ids, "1" the
United States, "19" English), `approval_rate` (a range 0-100), `custom_allowlist` and
`custom_blocklist` (Prolific ids), `previous_studies` and `previous_studies_blocklist`
(study ids of the workspace). Lists page by `_links.next` and, as Prolific's list endpoints
share, by `limit`/`offset` with `meta.count` the number of all items.
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
Links = Literal["absolute", "root", "relative", "none"]
AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


FILTERS: dict[str, dict[str, Any]] = {
    "current-country-of-residence": {
        "type": "select",
        "data_type": "ChoiceID",
        "choices": {"0": "United Kingdom", "1": "United States", "2": "Ireland", "3": "Canada"},
    },
    "fluent-languages": {
        "type": "select",
        "data_type": "ChoiceID",
        "choices": {"19": "English", "20": "French", "21": "German"},
    },
    "approval_rate": {"type": "range", "data_type": "float", "min": 0, "max": 100},
    "age": {"type": "range", "data_type": "integer", "min": 18, "max": 100},
    "handedness": {
        "type": "select",
        "data_type": "ChoiceID",
        "choices": {"0": "Right-handed", "1": "Left-handed", "2": "Ambidextrous"},
    },
    "custom_allowlist": {"type": "select", "data_type": "ParticipantID", "choices": {}},
    "custom_blocklist": {"type": "select", "data_type": "ParticipantID", "choices": {}},
    "previous_studies": {"type": "select", "data_type": "StudyID", "choices": {}},
    "previous_studies_blocklist": {"type": "select", "data_type": "StudyID", "choices": {}},
}


def filter_list(studies: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """`GET /api/v1/filters/`: each filter with its type, data type and choices (the
    workspace's studies for the StudyID ones)."""
    out = []
    for filter_id, spec in FILTERS.items():
        item = {"filter_id": filter_id, "title": filter_id, **spec}
        if spec["data_type"] == "StudyID":
            item["choices"] = {k: str(v.get("internal_name", "")) for k, v in studies.items()}
        out.append(item)
    return out


def filter_problem(item: Any, studies: dict[str, dict[str, Any]]) -> str | None:
    """What is wrong with one study filter, as Prolific would refuse it, or None."""
    if not isinstance(item, dict) or not isinstance(item.get("filter_id"), str):
        return "each filter needs a filter_id"
    filter_id = item["filter_id"]
    spec = FILTERS.get(filter_id)
    if spec is None:
        return f"unknown filter_id {filter_id!r}"
    values, bounds = item.get("selected_values"), item.get("selected_range")
    if spec["type"] == "range":
        if (
            values is not None
            or not isinstance(bounds, dict)
            or not set(bounds) & {"lower", "upper"}
        ):
            return f"{filter_id} is a range filter: send selected_range {{lower, upper}}"
        numbers = [v for k, v in bounds.items() if k in ("lower", "upper") and v is not None]
        if not all(isinstance(v, int | float) and spec["min"] <= v <= spec["max"] for v in numbers):
            return f"{filter_id} takes bounds from {spec['min']} to {spec['max']}"
        return None
    if bounds is not None or not isinstance(values, list) or not values:
        return f"{filter_id} is a select filter: send a non-empty selected_values list"
    known = {"ChoiceID": spec["choices"], "StudyID": studies}.get(spec["data_type"])
    wrong = [v for v in values if not isinstance(v, str) or (known is not None and v not in known)]
    if wrong:
        return f"{filter_id} has no choice(s) {wrong}"
    return None


def validation_error(detail: Any) -> tuple[int, Any]:
    return err(400, "Request validation failed", detail)


def err(status: int, title: str, detail: Any) -> tuple[int, Any]:
    return status, {
        "error": {"status": status, "error_code": status * 1000, "title": title, "detail": detail}
    }


def check_study(body: Any, studies: dict[str, dict[str, Any]]) -> tuple[int, Any] | None:
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
    if not isinstance(body["filters"], list):
        return validation_error({"filters": ["A list of filter objects."]})
    problems = [p for p in (filter_problem(f, studies) for f in body["filters"]) if p]
    if problems:
        return validation_error({"filters": problems})
    limit = body.get("maximum_allowed_time")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return validation_error({"maximum_allowed_time": ["A positive number of minutes."]})
    codes = body["completion_codes"]
    if not isinstance(codes, list) or not codes or not all(_code_ok(c) for c in codes):
        return validation_error(
            {"completion_codes": ["Each code needs code, code_type and documented actions."]}
        )
    return None


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
    """One page of a list: by `limit`/`offset` when asked (always with `links="none"`, which
    sends no `_links` at all), else by `page`; the `next` link absolute, root-relative (what
    Prolific sends) or relative to the page; `meta.count` counts every item."""
    path = urlsplit(url).path
    if links == "none" or "limit" in query or "offset" in query:
        limit = int(query.get("limit", [str(size)])[0])
        start = int(query.get("offset", ["0"])[0])
        after = f"limit={limit}&offset={start + limit}"
        more = start + limit < len(items)
    else:
        number = int(query.get("page", ["1"])[0])
        start, limit, after = (number - 1) * size, size, f"page={number + 1}"
        more = number * size < len(items)
    out: dict[str, Any] = {"results": items[start : start + limit], "meta": {"count": len(items)}}
    if links != "none":
        href = {"absolute": f"{url}?{after}", "root": f"{path}?{after}", "relative": f"?{after}"}
        out["_links"] = {"next": {"href": href[links]} if more else None}
    return out


def admits(study: dict[str, Any], participant_id: str) -> bool:
    """Whether the study's filters let the participant in: a `custom_allowlist` admits only
    its ids, a `custom_blocklist` keeps its ids out (the other filters are not modelled)."""
    for f in study.get("filters") or []:
        values = f.get("selected_values") or []
        if f.get("filter_id") == "custom_allowlist" and participant_id not in values:
            return False
        if f.get("filter_id") == "custom_blocklist" and participant_id in values:
            return False
    return True
