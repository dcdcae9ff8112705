"""One process runs a sweep at a time: on PostgreSQL under pg_try_advisory_xact_lock (DESIGN "Scale-out").

On PostgreSQL the whole sweep is one transaction holding the sweep's advisory lock; a process that does
not get the lock skips that round, and each item of the sweep runs in a savepoint. On SQLite (one
process) the sweep runs as it is; there, as everywhere, the unique alarm keys keep every send single.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from tortoise import connections

from core.db import is_postgres
from core.tx import atomic

T = TypeVar("T")


def lock_id(name: str) -> int:
    """The signed 64-bit advisory lock number of a sweep (stable across processes and versions)."""
    digest = hashlib.sha256(f"peyk.sweep.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def run_exclusive(name: str, sweep: Callable[[datetime], Awaitable[T]], now: datetime) -> tuple[bool, T | None]:
    """Run `sweep(now)` unless another process is running the same sweep; returns (ran, result)."""
    if not is_postgres():
        return True, await sweep(now)
    async with atomic():
        conn = connections.get("default")  # inside the transaction: its connection
        rows = await conn.execute_query_dict("SELECT pg_try_advisory_xact_lock($1) AS got", [lock_id(name)])
        if not rows or not rows[0]["got"]:
            return False, None
        return True, await sweep(now)
