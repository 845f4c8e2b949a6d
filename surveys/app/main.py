"""Building the app: templates, static files, error handlers, the participant and writing
routes, and any extra route groups (the researcher dashboard comes from fieldwork)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from arguments import Replier
from study.store import NotFoundError, Store
from surveys.app import chat, follow_up, participant, writing
from surveys.app.security import RateLimiter, error_response, security_headers
from surveys.app.settings import AppSettings
from surveys.pages import FormError

HERE = Path(__file__).resolve().parent
log = logging.getLogger("persuasion.survey")


def create_app(store: Store, settings: AppSettings, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The survey app over an open store, with `routers` mounted beside the participant
    and writing routes."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.store = store
    app.state.settings = settings
    app.state.templates = templates
    app.state.studies = {}
    app.state.limiter = RateLimiter(settings.starts_per_minute)
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.replier = Replier.create(store)
    app.router.add_event_handler("shutdown", app.state.replier.aclose)
    app.include_router(participant.router)
    app.include_router(chat.router)
    app.include_router(writing.router)
    app.include_router(follow_up.router)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(FormError)
    async def form_error(request: Request, exc: FormError) -> Response:
        return error_response(request, templates, exc.status, exc.code, exc.message)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, templates, 404, "no_study", "There is no such study.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = "This page does not exist." if exc.status_code == 404 else str(exc.detail)
        return error_response(request, templates, exc.status_code, "http", message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request,
            templates,
            500,
            "server_error",
            "Something went wrong on our side. Your saved answers are safe; please reload "
            "the page in a moment.",
        )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
