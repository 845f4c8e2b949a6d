"""Writing-task routes for human writers: /write/start/{study}?token=… then /write.

The writer's cookie is the task id signed with the app's key (a forged or altered cookie is
refused); the CSRF token is bound to that cookie like the participants' one."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from surveys import writing
from surveys.app.participant import PLATFORM_ID, read_form
from surveys.app.security import WRITER_COOKIE, check_csrf, client_key, csrf_token, set_cookie
from surveys.completion import prolific_completion_url, writing_completion_code
from surveys.hashing import keyed_hash, same
from surveys.pages import FormError, ascii_int

router = APIRouter(prefix="/write")


def _sign(key: bytes, task_id: int) -> str:
    return f"{task_id}.{keyed_hash(key, str(task_id), 'writer-cookie')}"


def _task_id(request: Request) -> tuple[str, int]:
    cookie = request.cookies.get(WRITER_COOKIE, "")
    task_id = ascii_int(cookie.partition(".")[0], 18)
    key = request.app.state.settings.key
    if task_id is None or not same(cookie, _sign(key, task_id)):
        raise FormError(
            "no_session", "Please open the writing task from the link you were given.", 403
        )
    return cookie, task_id


@router.get("/start/{study}")
async def start(request: Request, study: str) -> Response:
    """Enter a writing task from an invitation link (?token=…) or, on a Prolific study, from
    Prolific (?PROLIFIC_PID=…); a bare ?pid=… is refused."""
    params = request.query_params
    token, pid = params.get("token", ""), params.get("PROLIFIC_PID", "")
    submission = params.get("SESSION_ID", "") if pid else ""
    bad = [v for v in (pid, submission) if v and not PLATFORM_ID.match(v)]
    if len(token) > 40 or bad:
        raise FormError("invalid_participant_id", "This link is not valid; ask for a new one.")
    if not request.app.state.limiter.allow(client_key(request)):
        raise FormError("rate_limited", "Too many new sessions from here; wait a minute.", 429)
    settings, store = request.app.state.settings, request.app.state.store
    writer = await run_in_threadpool(
        writing.writer_identity, store, study, settings.key, token, pid
    )
    task_id = await run_in_threadpool(
        writing.take_task, store, study, writer, settings.key, None, submission
    )
    response = RedirectResponse("/write", 303)
    set_cookie(response, WRITER_COOKIE, _sign(settings.key, task_id), settings.secure_cookies)
    return response


@router.get("", response_class=HTMLResponse)
async def show(request: Request) -> Response:
    cookie, task_id = _task_id(request)
    task = await run_in_threadpool(writing.load_task, request.app.state.store, task_id)
    settings = request.app.state.settings
    code, back = _completion(settings.key, task)
    return request.app.state.templates.TemplateResponse(
        request,
        "write.html" if task.status == "assigned" else "written.html",
        {
            "title": task.study.survey.title,
            "kind": "write" if task.status == "assigned" else "written",
            "task": task,
            "survey": task.study.survey,
            "csrf": csrf_token(settings.key, cookie),
            "code": code,
            "completion_url": back,
        },
    )


def _completion(key: bytes, task: writing.Task) -> tuple[str, str]:
    """(code, link back) of a saved text: a writer from the writing study gets its completion
    code, fixed when the study was created on the platform, and the link back to Prolific; an
    invited writer a receipt code of their own task."""
    if task.platform_session:
        code = writing_completion_code(task.study)
        return code, prolific_completion_url(code)
    return keyed_hash(key, str(task.id), "writer-code")[:10].upper(), ""


@router.post("")
async def submit(request: Request) -> Response:
    cookie, task_id = _task_id(request)
    form = await read_form(request)
    check_csrf(request.app.state.settings.key, cookie, form.get("csrf"))
    unknown = sorted(set(form) - {"csrf", "text", "pastes"})
    if unknown:
        raise FormError("unexpected_field", f"Unexpected field(s): {', '.join(unknown)}.")
    pastes = ascii_int(form.get("pastes", "0"), 8)
    if pastes is None:
        raise FormError("invalid_pastes", "pastes must be a whole number.")
    store = request.app.state.store
    task = await run_in_threadpool(writing.load_task, store, task_id)
    text = writing.clean_text(form.get("text", ""), task)
    await run_in_threadpool(writing.submit_text, store, task_id, text, pastes)
    return RedirectResponse("/write", 303)
