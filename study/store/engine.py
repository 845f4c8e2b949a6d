"""Opening the store: SQLite by default (a file in WAL mode), PostgreSQL through a URL."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from common import PersuasionError

DEFAULT_DB = "sqlite:///persuasion.db"
ENV_VAR = "PERSUASION_DB"


class StoreError(PersuasionError, RuntimeError):
    """The store cannot be opened or is not in the expected state."""


EXAMPLES = "a SQLite file (study.db, /abs/path/study.db, sqlite:////abs/path/study.db) or postgresql://USER@HOST:PORT/DB"
NOT_STORES = (".toml", ".yaml", ".yml", ".csv", ".json", ".parquet", ".html", ".txt")
SQLITE_HEADER = b"SQLite format 3\x00"


def resolve_url(url: str | None = None) -> str:
    """The store URL: the argument, else $PERSUASION_DB, else ./persuasion.db.

    A plain file path means a SQLite file; `postgresql://` URLs use the psycopg 3 driver.
    Malformed URLs (`sqlite:/x.db`), study and data files (`study.toml`) and files that are
    not SQLite databases raise StoreError with an example of what works.
    """
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" not in raw:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", raw):
            raise StoreError(f"store URL {raw!r} is malformed; use {EXAMPLES}")
        path = Path(raw).expanduser().resolve()
        return f"sqlite:///{_sqlite_file(raw, path)}"
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if raw.startswith("sqlite:///"):
        rest = raw.removeprefix("sqlite:///")
        if rest in ("", ":memory:"):
            return raw
        path = Path(rest).resolve()
        if not Path(rest).is_absolute() and not path.parent.is_dir():
            raise StoreError(
                f"store URL {raw!r} names {path} (three slashes: a path relative to "
                f"{Path.cwd()}), whose folder does not exist; for /{rest} write "
                f"sqlite:////{rest} or just /{rest}"
            )
        return f"sqlite:///{_sqlite_file(raw, path)}"
    if not raw.startswith("postgresql+"):
        raise StoreError(f"store URL {raw!r} is not supported; use {EXAMPLES}")
    return raw


def _sqlite_file(raw: str, path: Path) -> Path:
    """`path` if it can be a SQLite store: not a study or data file, and (when it exists) a
    SQLite database."""
    if path.suffix.lower() in NOT_STORES:
        raise StoreError(
            f"--db {raw!r} names a {path.suffix} file, not a store; pass the study as the "
            f"argument and the store as --db, e.g. --db study.db (stores are {EXAMPLES})"
        )
    if path.is_dir():
        raise StoreError(f"store {path} is a folder; pass a file, e.g. --db {path / 'study.db'}")
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            if handle.read(16) != SQLITE_HEADER:
                raise StoreError(
                    f"{path} is not a SQLite store; pass a store made by persuasion or a new "
                    "file name (e.g. --db study.db)"
                )
    return path


def reason(exc: OperationalError | InterfaceError) -> str:
    """The driver's message on one line (psycopg's spans several)."""
    text = str(exc.orig if exc.orig is not None else exc)
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


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
        """A transaction; a store that stops answering (a deleted file, a stopped server)
        raises StoreError, and what earlier transactions committed is kept."""
        try:
            with self.factory() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise self.gone(exc) from None

    def gone(self, exc: OperationalError | InterfaceError) -> StoreError:
        return StoreError(
            f"the store {self.display_url} stopped answering ({reason(exc)}); check that it is "
            "there and running, then run the command again (what was saved is kept)"
        )

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


def open_store(url: str | None = None, *, migrate: bool = True, create: bool = True) -> Store:
    """Open (and by default migrate) the store at `url`. Only with `create` (the commands
    that write a study: run, import, init-like ones) may a store that does not exist yet be
    created; otherwise a missing store raises StoreError naming its full path."""
    resolved = resolve_url(url)
    kwargs: dict[str, Any] = {"future": True}
    sqlite = resolved.startswith("sqlite")
    if sqlite:
        db_path = resolved.split(":///", 1)[-1]
        if db_path and db_path != ":memory:":
            if not create and not Path(db_path).is_file():
                raise StoreError(_missing(url, db_path))
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(resolved, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    store = Store(resolved, engine, sessionmaker(engine, expire_on_commit=False))
    if not create and not sqlite:
        _require_schema(store, url)
    if migrate:
        from study.store.migrate import upgrade

        upgrade(store)
    return store


def probe_store(url: str | None = None) -> None:
    """Raise StoreError unless the store at `url` could be opened, creating and changing
    nothing: the URL is well formed, a SQLite file is a SQLite database (or does not exist
    yet), a server answers."""
    resolved = resolve_url(url)
    if resolved.startswith("sqlite"):
        return
    engine = create_engine(resolved, future=True)
    try:
        with engine.connect():
            pass
    except (OperationalError, InterfaceError) as exc:
        raise StoreError(
            f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{reason(exc)}; check the URL (--db or PERSUASION_DB) and that the server is running"
        ) from None
    finally:
        engine.dispose()


def _missing(url: str | None, where: str) -> str:
    given = url or os.environ.get(ENV_VAR) or DEFAULT_DB
    return (
        f"no store at {where} (--db {given}); nothing was created. Check --db or "
        f"{ENV_VAR}; a store is made by `persuasion run STUDY.toml --db {given}` or "
        "`persuasion import`"
    )


def _require_schema(store: Store, url: str | None) -> None:
    """A server database that has never held a store is reported, not filled."""
    try:
        with store.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except (OperationalError, InterfaceError) as exc:
        store.dispose()
        raise StoreError(
            f"cannot open the store at {store.display_url}: {reason(exc)}; check "
            "the URL (--db or PERSUASION_DB) and that the server is running"
        ) from None
    if "alembic_version" not in tables:
        store.dispose()
        raise StoreError(_missing(url, store.display_url))
