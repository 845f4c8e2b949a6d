"""Alembic migrations, run programmatically (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from study.store.engine import Store, StoreError, reason


def alembic_config(store: Store) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("study.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return cfg


MIGRATION_LOCK = 0x5045525301  # PostgreSQL advisory lock held while migrating


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the store's schema up to `revision` (creating it if empty). On PostgreSQL,
    processes opening a fresh store at once migrate one after the other (a transaction-level
    advisory lock), so the second finds the schema in place."""
    cfg = alembic_config(store)
    try:
        with store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the store at {store.display_url}: {reason(exc)}; check "
            "the URL (--db or PERSUASION_DB) and that the server is running"
        ) from None
