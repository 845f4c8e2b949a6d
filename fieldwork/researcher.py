"""Researcher routes behind the researcher token: the fieldwork dashboard and the export.

Sign in once with /researcher/login?token=TOKEN (sets an HttpOnly cookie and drops the token
from the address bar), or send `Authorization: Bearer TOKEN` (scripts)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from fieldwork.dashboard import export_csv, progress, report_file
from surveys import FormError, decide, keyed_hash, review_queue, same, transcript_rows
from surveys.app import check_csrf, csrf_token, read_form, set_cookie

router = APIRouter(prefix="/researcher")
COOKIE = "ps_researcher"


def _require(request: Request) -> str:
    settings = request.app.state.settings
    if not settings.researcher_token:
        raise FormError("disabled", "The researcher pages are switched off on this server.", 404)
    expected = keyed_hash(settings.key, settings.researcher_token, "researcher")
    header = request.headers.get("authorization", "")
    offered = ""
    if header.startswith("Bearer "):
        offered = keyed_hash(settings.key, header[7:].strip(), "researcher")
    else:
        offered = request.cookies.get(COOKIE, "")
    if not offered or not same(offered, expected):
        raise FormError(
            "researcher_token",
            "This page needs the researcher token: open /researcher/login?token=TOKEN "
            "(printed by `persuasion survey serve`).",
            401,
        )
    return offered


@router.get("/login")
def login(request: Request, token: str = "", study: str = "") -> Response:
    settings = request.app.state.settings
    if not settings.researcher_token or not same(token, settings.researcher_token):
        raise FormError("researcher_token", "That researcher token is not valid.", 401)
    target = f"/researcher/{study}" if study.replace("-", "").replace(".", "").isalnum() else "/"
    response = RedirectResponse(target, 303)
    set_cookie(
        response,
        COOKIE,
        keyed_hash(settings.key, token, "researcher"),
        settings.secure_cookies,
    )
    return response


@router.get("/{study}", response_class=HTMLResponse)
async def dashboard(request: Request, study: str) -> Response:
    _require(request)
    data = await run_in_threadpool(progress, request.app.state.store, study)
    return request.app.state.templates.TemplateResponse(
        request, "dashboard.html", {"title": f"Fieldwork: {study}", "p": data, "kind": "dashboard"}
    )


@router.get("/{study}/progress.json")
async def progress_json(request: Request, study: str) -> Response:
    _require(request)
    data = await run_in_threadpool(progress, request.app.state.store, study)
    return JSONResponse(asdict(data))


@router.get("/{study}/export.csv")
async def export(request: Request, study: str) -> Response:
    _require(request)
    text = await run_in_threadpool(export_csv, request.app.state.store, study)
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{study}-ratings.csv"'},
    )


# The archived report is self-contained: inline styles and images embedded as data URIs.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


@router.get("/{study}/reports/{stamp}", response_class=HTMLResponse)
async def report(request: Request, study: str, stamp: str) -> Response:
    _require(request)
    try:
        path = await run_in_threadpool(report_file, request.app.state.store, study, stamp)
    except FileNotFoundError as exc:
        raise FormError("no_report", str(exc), 404) from None
    return HTMLResponse(
        path.read_text(encoding="utf-8"), headers={"Content-Security-Policy": REPORT_CSP}
    )


@router.get("/{study}/writing", response_class=HTMLResponse)
async def writing_review(request: Request, study: str, all: str = "") -> Response:
    """Writers' texts awaiting review, with paste events and time spent; approve or reject."""
    signed = _require(request)
    texts = await run_in_threadpool(review_queue, request.app.state.store, study, bool(all))
    return request.app.state.templates.TemplateResponse(
        request,
        "writing_review.html",
        {
            "title": f"Writing review: {study}",
            "kind": "writing-review",
            "study": study,
            "texts": texts,
            "csrf": csrf_token(request.app.state.settings.key, signed),
        },
    )


@router.post("/{study}/writing/{argument_id}")
async def writing_decision(request: Request, study: str, argument_id: int) -> Response:
    signed = _require(request)
    form = await read_form(request)
    check_csrf(request.app.state.settings.key, signed, form.get("csrf"))
    await run_in_threadpool(
        decide,
        request.app.state.store,
        study,
        argument_id,
        form.get("decision", ""),
        form.get("reason", ""),
    )
    return RedirectResponse(f"/researcher/{study}/writing", 303)


@router.get("/{study}/transcripts")
async def transcript_by_number(request: Request, study: str, session: str = "") -> Response:
    """The dashboard's form: a session number to its transcript."""
    _require(request)
    if not session.isascii() or not session.isdigit():
        raise FormError("invalid_session", "Give a session number (digits only).")
    return RedirectResponse(f"/researcher/{study}/transcripts/{int(session)}", 303)


@router.get("/{study}/transcripts/{session_id}", response_class=HTMLResponse)
async def transcript(request: Request, study: str, session_id: int) -> Response:
    """The conversations of one session (by its session number), turn by turn."""
    _require(request)
    rows = await run_in_threadpool(transcript_rows, request.app.state.store, study, session_id)
    if not rows:
        raise FormError("no_transcript", f"Session {session_id} has no conversation.", 404)
    return request.app.state.templates.TemplateResponse(
        request,
        "transcript.html",
        {
            "title": f"Transcript: session {session_id}",
            "kind": "transcript",
            "study": study,
            "session": session_id,
            "rows": rows,
        },
    )
