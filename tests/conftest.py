"""Shared fixtures: a migrated database for the session, emptied before each test that asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from core.db import close_db, init_db
from tests.support.databases import backend, create_database, drop_database

KEEP_TABLES = {"tortoise_migrations"}


@pytest.fixture(scope="session")
async def db_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for this session, with the ORM initialised in-process."""
    url = await create_database(tmp_path_factory.mktemp("db"))
    await init_db(url)
    yield url
    await close_db()
    await drop_database(url)


async def _table_names() -> list[str]:
    conn = connections.get("default")
    if backend() == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        )
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [r["name"] for r in rows if r["name"] not in KEEP_TABLES and not r["name"].startswith("sqlite_")]


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """An empty migrated database (every table emptied before the test)."""
    conn = connections.get("default")
    names = await _table_names()
    if backend() == "postgres":
        await conn.execute_script("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f'DELETE FROM "{n}";' for n in names)
            + "DELETE FROM sqlite_sequence;"
            + "PRAGMA foreign_keys=ON;"
        )
    yield db_url


@pytest.fixture
async def fresh_db_url(tmp_path: Path) -> AsyncIterator[str]:
    """A brand-new, unmigrated database (for migration and subprocess tests)."""
    url = await create_database(tmp_path)
    yield url
    await drop_database(url)


__all__ = ["Tortoise"]
