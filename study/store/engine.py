"""Opening the store: SQLite by default (a file in WAL mode), PostgreSQL through a URL.

SQLite takes one writer at a time. A writer that finds the file locked is put to sleep by
SQLite's busy handler in growing steps (1, 2, 5, 10, ... 100 ms) and polls again, so under
contention a write can wait far longer than the transaction it waits for, and a newcomer can
overtake it. Inside one process the store therefore queues its writers on a lock of its own
(`Store.gate`), taken before BEGIN IMMEDIATE and released after COMMIT: a waiting writer
wakes the moment the previous one is done, and only writers of other processes meet the
busy handler. Reads that need no lock (`Store.snapshot()`) run on a deferred transaction: a
consistent WAL snapshot that neither waits for writers nor holds them up."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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
BUSY_SECONDS = 30  # how long a SQLite writer waits for the lock before it gives up


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
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


SNAPSHOT = "persuasion_snapshot"  # the execution option of `Store.snapshot()` connections


def _sqlite_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers (survey requests,
    # generation threads) wait for each other through busy_timeout instead of failing when a
    # read snapshot cannot be upgraded to a write. Snapshot reads begin deferred (no lock).
    snapshot = conn.get_execution_options().get(SNAPSHOT, False)
    conn.exec_driver_sql("BEGIN" if snapshot else "BEGIN IMMEDIATE")


class WriteGate:
    """One SQLite writer at a time within this process, waiting in line on a lock (woken at
    once when the writer before it is done); re-entrant for nested use in one thread. Like
    SQLite's own busy timeout it gives up after `timeout` seconds."""

    def __init__(self, path: str, timeout: float = BUSY_SECONDS) -> None:
        self.path, self.timeout = path, timeout
        self.lock = threading.RLock()

    def __enter__(self) -> WriteGate:
        if not self.lock.acquire(timeout=self.timeout):
            raise StoreError(
                f"the store {self.path} was kept busy by another writer of this process for "
                f"{self.timeout:g} s; run the command again (what was saved is kept)"
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.lock.release()


@dataclass(frozen=True)
class Store:
    """An open store: an engine and a session factory. Use `store.session()` as a context
    manager; it commits on success and rolls back on error. The store itself is a context
    manager that releases its connections on exit: `with open_store(url) as store: ...`."""

    url: str
    engine: Engine
    factory: sessionmaker[Session]
    readers: sessionmaker[Session] | None = None
    gate: WriteGate | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction; a store that stops answering (a deleted file, a stopped server)
        raises StoreError, and what earlier transactions committed is kept. On SQLite it
        waits its turn behind this process's other writers (`writing`)."""
        try:
            with self.writing(), self.factory() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise self.gone(exc) from None

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only transaction: on SQLite a snapshot of the last commit that takes no
        lock (nothing written in it is kept: it is rolled back); on PostgreSQL a plain
        transaction. For reads only."""
        try:
            with (self.readers or self.factory)() as session:  # closing it rolls back
                yield session
                if session.new or session.dirty or session.deleted:
                    raise RuntimeError("a snapshot session is read-only; use store.session()")
        except (OperationalError, InterfaceError) as exc:
            raise self.gone(exc) from None

    def writing(self) -> AbstractContextManager[object]:
        """This process's turn to write (SQLite: one writer at a time, queued on a lock
        instead of SQLite's polling busy handler); hold it around a write transaction on
        the engine. A no-op on PostgreSQL."""
        return self.gate if self.gate is not None else nullcontext()

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
        kwargs["connect_args"] = {"timeout": BUSY_SECONDS, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(resolved, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    factory = sessionmaker(engine, expire_on_commit=False)
    readers = sessionmaker(engine.execution_options(**{SNAPSHOT: True})) if sqlite else None
    gate = WriteGate(resolved.split(":///", 1)[-1]) if sqlite else None
    store = Store(resolved, engine, factory, readers, gate)
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
