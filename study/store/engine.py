"""Opening the store: SQLite by default (a file in WAL mode), PostgreSQL through a URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from common import PersuasionError

DEFAULT_DB = "sqlite:///persuasion.db"
ENV_VAR = "PERSUASION_DB"


class StoreError(PersuasionError, RuntimeError):
    """The store cannot be opened or is not in the expected state."""


def resolve_url(url: str | None = None) -> str:
    """The store URL: the argument, else $PERSUASION_DB, else ./persuasion.db.

    A plain file path means a SQLite file; `postgresql://` URLs use the psycopg 3 driver.
    """
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if not raw.startswith(("sqlite", "postgresql+")):
        raise StoreError(
            f"unsupported store URL {raw!r}; use a SQLite path or "
            "sqlite:///FILE, or postgresql://USER@HOST:PORT/DB"
        )
    return raw


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, open transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers (survey requests,
    # generation threads) wait for each other through busy_timeout instead of failing when a
    # read snapshot cannot be upgraded to a write.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class Store:
    """An open store: an engine and a session factory. Use `store.session()` as a context
    manager; it commits on success and rolls back on error. The store itself is a context
    manager that releases its connections on exit: `with open_store(url) as store: ...`."""

    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default create or migrate) the store at `url`."""
    resolved = resolve_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if resolved.startswith("sqlite"):
        db_path = resolved.split(":///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(resolved, **kwargs)
    if resolved.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    store = Store(resolved, engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from study.store.migrate import upgrade

        upgrade(store)
    return store
