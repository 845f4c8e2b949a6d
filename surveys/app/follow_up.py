"""Follow-up routes: /follow-up/{study} (from the platform, with the participant's id) and
/follow-up/t/{token} (the personal link: the page and its one form).

The page lists the claims the participant rated in the original wave, each with the support
scale and no argument; POST saves every answer at once and redirects back (post/redirect/get),
which then shows the completion code. Nothing is acknowledged before it is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from study import SCALE_LABELS
from surveys import follow_up as follow_ups
from surveys.app.participant import ID_PARAMS, PLATFORM_ID, read_form
from surveys.app.security import check_csrf, client_key, csrf_token, error_response
from surveys.completion import completion_link
from surveys.pages import FormError

router = APIRouter()


@router.get("/follow-up/{study}")
async def enter(request: Request, study: str) -> Response:
    """From the platform (?PROLIFIC_PID=…&SESSION_ID=…): the participant is matched through
    the keyed hash of their id and sent to their personal follow-up page."""
    app, params = request.app, request.query_params
    raw = next((params[p] for p in ID_PARAMS if params.get(p)), "")
    if not raw:  # the address itself (what the preflight asks): how to take part
        return error_response(
            request,
            app.state.templates,
            200,
            "open_from_platform",
            "This follow-up is for people who took part in the first part of the study; "
            "please open it from the recruitment platform or from the link you were sent.",
        )
    if not PLATFORM_ID.match(raw):
        raise FormError(
            "missing_participant_id",
            "This link has no valid participant id; please open the follow-up from the "
            "recruitment platform or from the link you were sent.",
        )
    if not app.state.limiter.allow(client_key(request)):
        raise FormError("rate_limited", "Too many requests from here; wait a minute.", 429)
    store, key = app.state.store, app.state.settings.key
    token = await run_in_threadpool(follow_ups.token_for_platform_id, store, study, raw, key)
    view = await run_in_threadpool(follow_ups.load_follow_up, store, token)
    session = params.get("SESSION_ID", "") or params.get("session", "")
    await run_in_threadpool(follow_ups.open_page, store, view, session)
    return RedirectResponse(f"/follow-up/t/{token}", 303)


@router.get("/follow-up/t/{token}", response_class=HTMLResponse)
async def page(request: Request, token: str) -> Response:
    store = request.app.state.store
    view = await run_in_threadpool(follow_ups.load_follow_up, store, token)
    if view.status == "closed":
        raise FormError("closed", "This follow-up has closed; thank you for your interest.", 410)
    context: dict[str, Any] = {"title": view.study.survey.title, "kind": "follow_up"}
    context["token"] = token
    if view.status == "completed":
        context |= {
            "kind": "follow_up_done",
            "code": view.completion_code,
            "completion_url": completion_link(view.study, view.completion_code),
        }
        return request.app.state.templates.TemplateResponse(request, "follow_up_done.html", context)
    await run_in_threadpool(follow_ups.open_page, store, view)
    context |= {
        "items": view.items,
        "scale": list(enumerate(SCALE_LABELS, start=1)),
        "csrf": csrf_token(request.app.state.settings.key, token),
    }
    return request.app.state.templates.TemplateResponse(request, "follow_up.html", context)


@router.post("/follow-up/t/{token}")
async def answer(request: Request, token: str) -> Response:
    store = request.app.state.store
    view = await run_in_threadpool(follow_ups.load_follow_up, store, token)
    form = await read_form(request)
    check_csrf(request.app.state.settings.key, token, form.get("csrf"))
    if view.status != "completed":
        answers = follow_ups.parse_answers(view, form)
        await run_in_threadpool(follow_ups.submit_follow_up, store, view, answers)
    return RedirectResponse(f"/follow-up/t/{token}", 303)
