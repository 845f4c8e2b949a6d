"""How a participant's session ends: the completion codes and the address that sends them back
to their recruitment platform. Pure functions of the study, so the survey app and the
platform adapters (fieldwork.platforms) agree without sharing state."""

from __future__ import annotations

import hashlib

from study import Study

PROLIFIC_COMPLETION_URL = "https://app.prolific.com/submissions/complete?cc="


def completion_codes(study: Study) -> tuple[str, str]:
    """The codes participants are shown at the end: (completed, failed attention checks).
    `recruitment.completion_code` sets the first; otherwise both derive from the study's name
    and seed, so the survey app and the platform agree without sharing state."""

    completed = study.recruitment.completion_code or _derived(study, "completed")
    return completed, _derived(study, "failed-attention")


def writing_completion_code(study: Study) -> str:
    """The code writers from the writing study are shown when their text is saved (and sent
    to the platform at the writing study's creation): `human_writing.completion_code`, else
    derived from the study's name and seed."""
    return study.human_writing.completion_code or _derived(study, "writing")


def _derived(study: Study, kind: str) -> str:
    digest = hashlib.sha256(f"{study.name}:{study.study.seed}:{kind}".encode()).hexdigest()
    return "C" + digest[:7].upper()


def prolific_completion_url(code: str) -> str:
    """Where the survey app sends a participant back to Prolific after the last answer."""
    return PROLIFIC_COMPLETION_URL + code


def completion_link(study: Study, code: str) -> str:
    """Where the last page sends the participant: the study's completion_url, else Prolific's
    completion address on Prolific studies, else nowhere (the code is shown)."""
    if study.survey.completion_url:
        return study.survey.completion_url.replace("{code}", code)
    if study.recruitment.platform == "prolific" and code:
        return prolific_completion_url(code)
    return ""
