"""Chat routes: a conversation item's page between the two ratings.

Without JavaScript the page is a form: POST /survey/chat commits the message, writes the
model's reply (committed too) and redirects back to /survey (post/redirect/get), which shows
both. With JavaScript the message is posted with `mode=js` (answered 202 once committed) and
the reply comes from GET /survey/chat/stream, a server-sent event stream under the same CSP
(`connect-src 'self'`): the reply is written and committed first, then sent in pieces. A reply
that was in flight when the page was left (or the server died) is asked for again by the next
page load (POST /survey/chat/reply without JavaScript): the same request key answers with the
stored reply, or writes it once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from arguments import Reply
from surveys import chat
from surveys.app.participant import checked_form, view_of
from surveys.app.security import HEADERS
from surveys.pages import FormError, ascii_int

router = APIRouter()
CHUNK_WORDS = 6
FIELDS = frozenset({"step", "csrf", "message", "mode", "pastes", "keystrokes", "typing_ms"})


async def _reply(request: Request, conversation_id: int, turn: int) -> Reply:
    return await request.app.state.replier.reply(conversation_id, turn)


@router.post("/survey/chat")
async def post(request: Request) -> Response:
    """A participant message: committed, then answered (no JS) or acknowledged (JS)."""
    view, form = await checked_form(request)
    step = ascii_int(form.get("step"), 6)
    if step is None:
        raise FormError("invalid_step", "The form is missing its page number; reload the page.")
    unknown = sorted(
        set(form) - {"step", "csrf", "message", "mode", "pastes", "keystrokes", "typing_ms"}
    )
    if unknown:
        raise FormError("unexpected_field", f"This page does not accept {', '.join(unknown)}.")
    signals = {f.name: f.parse(form.get(f.name)) for f in chat.MESSAGE_SIGNALS}
    posted = await run_in_threadpool(
        chat.post_message,
        request.app.state.store,
        view,
        step,
        form.get("message", ""),
        signals,
    )
    if form.get("mode") == "js":
        body = {"turn": posted.turn, "ended": posted.ended}
        return JSONResponse(body, status_code=202 if posted.turn else 409)
    if posted.turn:
        await _reply(request, posted.conversation_id, posted.turn)
    return RedirectResponse("/survey", 303)


@router.post("/survey/chat/reply")
async def reply(request: Request) -> Response:
    """Ask again for the reply awaited on the current chat (after a reload or a restart)."""
    view, _ = await checked_form(request)
    state = await run_in_threadpool(chat.chat_of, request.app.state.store, view)
    if state is not None and state.pending:
        await _reply(request, state.conversation_id, state.pending)
    return RedirectResponse("/survey", 303)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


@router.get("/survey/chat/stream")
async def stream(request: Request) -> Response:
    """The awaited reply as server-sent events: `chunk` pieces, then `done` (or `failed`)."""
    _, view = await run_in_threadpool(view_of, request)
    state = await run_in_threadpool(chat.chat_of, request.app.state.store, view)
    if state is None or not state.pending:
        raise FormError("no_reply_pending", "No reply is awaited on this page.", 409)

    async def events() -> AsyncIterator[bytes]:
        got = await _reply(request, state.conversation_id, state.pending)
        if got.status != "answered":
            yield _event("failed", {"turn": got.turn, "message": chat.FAILED})
            return
        words = got.text.split(" ")
        for i in range(0, len(words), CHUNK_WORDS):
            piece = " ".join(words[i : i + CHUNK_WORDS])
            yield _event("chunk", {"turn": got.turn, "text": piece + " "})
        yield _event("done", {"turn": got.turn})

    headers = {**HEADERS, "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
