"""The participant web app (server-rendered HTML; no external assets). Build it with
`create_app(store, settings)` and serve it with uvicorn (`persuasion survey serve`)."""

from surveys.app.main import create_app
from surveys.app.participant import read_form
from surveys.app.security import check_csrf, csrf_token, set_cookie
from surveys.app.settings import AppSettings

__all__ = [
    "AppSettings",
    "check_csrf",
    "create_app",
    "csrf_token",
    "read_form",
    "set_cookie",
]
