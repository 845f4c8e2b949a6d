"""The participant web app (server-rendered HTML; no external assets). Build it with
`create_app(store, settings)` and serve it with uvicorn (`persuasion survey serve`)."""

from surveys.app.main import create_app
from surveys.app.security import set_cookie
from surveys.app.settings import AppSettings

__all__ = [
    "AppSettings",
    "create_app",
    "set_cookie",
]
