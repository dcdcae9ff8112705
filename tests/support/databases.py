"""Test databases: a SQLite file by default, or a fresh PostgreSQL database per use.

Set PEYK_TEST_DATABASE_URL to a PostgreSQL server URL (for example
postgres://postgres@127.0.0.1:5432/test) to run the suite on PostgreSQL; each
test database is created on that server and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENV = "PEYK_TEST_DATABASE_URL"


def backend() -> str:
    """`postgres` when the suite runs on PostgreSQL, else `sqlite`."""
    url = os.environ.get(ENV, "")
    return "postgres" if url.startswith(("postgres", "asyncpg")) else "sqlite"


def _server_url() -> str:
    parts = urlsplit(os.environ[ENV])
    return urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", parts.query, ""))


async def create_database(tmp_dir: Path) -> str:
    """A new empty database; returns its tortoise URL."""
    if backend() == "sqlite":
        return f"sqlite://{tmp_dir / ('peyk-' + uuid.uuid4().hex[:8] + '.sqlite3')}"
    name = "peyk_t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(_server_url())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(os.environ[ENV])
    return urlunsplit(("postgres", parts.netloc, "/" + name, "", ""))


async def drop_database(url: str) -> None:
    """Drop a database made by create_database (SQLite files go with their tmp dir)."""
    if not url.startswith("postgres"):
        return
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(_server_url())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
