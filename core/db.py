"""Database lifecycle: tortoise configuration, start-up, migrations and shutdown."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as migrate_api
from tortoise.queryset import QuerySet

from core.owner_only import create_file, make_dirs

log = logging.getLogger(__name__)

MODELS_APP = "models"
ANALYSIS_LIMIT = 10_000  # rows sampled per index by the ANALYZE at start-up
SQLITE_DEFAULTS = {"journal_mode": "WAL", "busy_timeout": "5000", "synchronous": "NORMAL"}


def _with_sqlite_defaults(url: str) -> str:
    parts = urlsplit(url)
    query = dict(SQLITE_DEFAULTS)
    query.update(dict(parse_qsl(parts.query)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise config dict for a database URL (SQLite gets WAL and a busy timeout)."""
    url = _with_sqlite_defaults(database_url) if database_url.startswith("sqlite") else database_url
    return {
        "connections": {"default": url},
        "apps": {
            MODELS_APP: {
                "models": ["core.models"],
                "default_connection": "default",
                "migrations": "core.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(database_url: str) -> None:
    """Make a new SQLite file owner-only (0600, in a 0700 directory) before SQLite creates it with 0644.

    SQLite gives its -wal and -shm files the mode of the database file, so they follow.
    """
    if database_url.startswith("sqlite"):
        parts = urlsplit(database_url)
        path = Path(parts.netloc + parts.path)
        if str(path) != ":memory:":
            make_dirs(path.parent)
            with contextlib.suppress(FileExistsError):
                os.close(create_file(path))  # an empty file is an empty SQLite database


async def migrate(database_url: str) -> None:
    """Apply every migration not yet applied (safe to call on every start)."""
    _ensure_sqlite_dir(database_url)
    await migrate_api(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def init_db(database_url: str, *, run_migrations: bool = True) -> None:
    """Migrate, then initialise the ORM for the whole process (also background tasks)."""
    if run_migrations:
        await migrate(database_url)
    else:
        _ensure_sqlite_dir(database_url)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    if database_url.startswith("sqlite"):
        # SQLite never gathers planner statistics by itself; without them it picks the status index
        # for every inbox filter and sorts (10-40x slower at 200k conversations, see bench/scale.py).
        # A bounded ANALYZE samples each index: a few ms at startup, also on a big database.
        await connections.get("default").execute_script(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}; ANALYZE;")


async def close_db() -> None:
    """Close every connection (at shutdown)."""
    await connections.close_all()


async def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False
    return True


def is_postgres() -> bool:
    """True when the default connection is PostgreSQL."""
    return connections.get("default").capabilities.dialect == "postgres"


# For tortoise's own CLI (`tortoise makemigrations`), named in pyproject's [tool.tortoise].
TORTOISE_ORM = tortoise_config("sqlite://data/makemigrations.sqlite3")


async def int_column(query: QuerySet[Any], field: str = "id") -> list[int]:
    """The integer column `field` (ids by default) of every row `query` matches, in its order."""
    values: list[Any] = await query.values_list(field, flat=True)  # flat=True: scalars
    return [int(value) for value in values if value is not None]
