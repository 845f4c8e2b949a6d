"""Participant routes: /start/{study} (from the recruitment link) and /survey (every page).

GET /survey renders the session's current step; POST /survey saves it and redirects back
(post/redirect/get), so a reload never resubmits and every answer is committed before the
next page is sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from study import SCALE_LABELS
from surveys import chat, disclosure, sessions
from surveys.app.security import (
    SESSION_COOKIE,
    check_csrf,
    client_key,
    csrf_token,
    set_cookie,
)
from surveys.completion import completion_link
from surveys.hashing import new_token
from surveys.pages import FormError, ascii_int, check_by_key, validate

router = APIRouter()
PLATFORM_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
ID_PARAMS = ("PROLIFIC_PID", "participant", "pid")


@router.get("/start/{study}")
async def start(request: Request, study: str) -> Response:
    """Enter a study from its link: ?PROLIFIC_PID=…&STUDY_ID=…&SESSION_ID=… or ?pid=…;
    without an id (links handed out by researchers) a new anonymous participant starts."""
    app = request.app
    params = request.query_params
    raw = next((params[p] for p in ID_PARAMS if params.get(p)), "")
    cookie = request.cookies.get(SESSION_COOKIE, "")
    earlier = ""
    if not raw and cookie:
        earlier = await run_in_threadpool(_session_status, request, cookie, study)
        if earlier in ("active", "completed"):
            return RedirectResponse("/survey", 303)
    if raw and not PLATFORM_ID.match(raw):
        raise FormError(
            "invalid_participant_id",
            "The participant id in this link is not valid; open the study from the "
            "recruitment platform again.",
        )
    if not app.state.limiter.allow(client_key(request)):
        raise FormError("rate_limited", "Too many new sessions from here; wait a minute.", 429)
    started = await run_in_threadpool(
        sessions.start,
        app.state.store,
        study,
        raw or f"anonymous:{new_token()}",
        app.state.settings.key,
        params.get("SESSION_ID", "") or params.get("session", ""),
        None,
        not raw,
        app.state.studies,
    )
    target = "/survey?again=1" if earlier in ("timed_out", "returned") else "/survey"
    response = RedirectResponse(target, 303)
    set_cookie(response, SESSION_COOKIE, started.token, app.state.settings.secure_cookies)
    return response


def _session_status(request: Request, cookie: str, study: str) -> str:
    """The status of the cookie's session if it belongs to this study, else ''. An anonymous
    visitor resumes a live session; one whose session timed out or was returned starts anew."""
    try:
        view = sessions.load_view(request.app.state.store, cookie, request.app.state.studies)
    except FormError:
        return ""
    return view.status if view.study.name == study else ""


def view_of(request: Request) -> tuple[str, sessions.View]:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise FormError(
            "no_session",
            "Please open this study from the link on the recruitment platform.",
            403,
        )
    return token, sessions.load_view(request.app.state.store, token, request.app.state.studies)


@router.get("/survey", response_class=HTMLResponse)
async def show(request: Request) -> Response:
    token, view = await run_in_threadpool(view_of, request)
    if view.status in ("timed_out", "returned") and view.step_index > 0:
        raise FormError(
            view.status,
            "Your session timed out, so its places were given to others. If you came from a "
            "link without a participant id, open it again to start a new session.",
            410,
        )
    step = view.step  # a session freed before its first answer may still consent (revived)
    shown = view.shown_at
    if step.kind == "argument" and shown is None:
        shown = await run_in_threadpool(sessions.mark_shown, request.app.state.store, view)
    context = _context(view, shown)
    context["csrf"] = csrf_token(request.app.state.settings.key, token)
    if step.kind == "debrief":
        context["about"] = await run_in_threadpool(
            disclosure.debrief_items, request.app.state.store, view.session_id, view.study
        )
    template = f"{step.kind}.html"
    if step.kind == "argument" and view.items[step.item].conversation:
        state = await run_in_threadpool(chat.chat_of, request.app.state.store, view)
        if state is not None:
            context.update(chat.page_context(state))
            template = "chat.html"
    if request.query_params.get("again") and step.kind == "consent":
        context["notice"] = "Your earlier session timed out, so this is a new one."
    return request.app.state.templates.TemplateResponse(request, template, context)


def _context(view: sessions.View, shown: datetime | None) -> dict[str, Any]:
    study, step = view.study, view.step
    ctx: dict[str, Any] = {
        "title": study.survey.title,
        "survey": study.survey,
        "step": view.step_index,
        "kind": step.kind,
        "scale": list(enumerate(SCALE_LABELS, start=1)),
        "progress": (view.step_index, len(view.steps) - 1),
        "code": view.completion_code,
        "completion_url": completion_link(study, view.completion_code),
    }
    if step.item >= 0:
        item = view.items[step.item]
        ctx["claim"] = item.claim
        ctx["paragraphs"] = [p.strip() for p in item.argument.splitlines() if p.strip()]
        ctx["item_number"] = step.item + 1
        ctx["items"] = len(view.items)
        if shown is not None:
            elapsed = (datetime.now(UTC) - shown).total_seconds() * 1000
            ctx["wait_ms"] = max(0, int(item.min_reading_ms - elapsed))
    if step.kind == "attention":
        ctx["check"] = check_by_key(study, step.check)
    if step.kind in ("consent", "debrief"):
        ctx["researcher"] = disclosure.researcher_lines(study)
        ctx["consent"] = disclosure.consent_paragraphs(study)
        ctx["debrief"] = [
            *disclosure.paragraphs(study.survey.debrief_text),
            *disclosure.debrief_general(study),
        ]
    return ctx


async def read_form(request: Request) -> dict[str, str]:
    """The submitted form as a plain dict; a field sent twice or a file is refused."""
    form = await request.form()
    out: dict[str, str] = {}
    for name, value in form.multi_items():
        if name in out or not isinstance(value, str):
            raise FormError("invalid_form", f"The field {name!r} was sent in a wrong form.")
        out[name] = value
    return out


async def checked_form(request: Request) -> tuple[sessions.View, dict[str, str]]:
    """The participant's current view and their posted form, its CSRF token checked: the
    start of every participant POST."""
    token, view = await run_in_threadpool(view_of, request)
    form = await read_form(request)
    check_csrf(request.app.state.settings.key, token, form.get("csrf"))
    return view, form


@router.post("/survey/heartbeat")
async def heartbeat(request: Request) -> Response:
    """Sent by the open page every minute while it is visible: keeps the places held."""
    view, _ = await checked_form(request)
    alive = await run_in_threadpool(sessions.touch, request.app.state.store, view)
    return Response(status_code=204 if alive else 410)


@router.post("/survey")
async def answer(request: Request) -> Response:
    view, form = await checked_form(request)
    posted = ascii_int(form.get("step"), 6)
    if posted is None:
        raise FormError("invalid_step", "The form is missing its page number; reload the page.")
    step = view.steps[min(posted, len(view.steps) - 1)]
    values = validate(step, view.study, form)
    await run_in_threadpool(sessions.submit, request.app.state.store, view, posted, values)
    return RedirectResponse("/survey", 303)
