"""Per-conversation ordering in this process: one step at a time, in arrival order.

Across processes (PostgreSQL) the contact's DialogState row is locked for the step instead
(core.actions.dialog.stepping).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# Steps of one conversation run one at a time in this process; a lock lives while anyone waits on it.
_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


@asynccontextmanager
async def conversation_lock(conversation_id: int) -> AsyncIterator[None]:
    """Hold the in-process lock of one conversation (waiters are served in arrival order)."""
    lock = _locks.get(conversation_id)
    if lock is None:
        lock = _locks[conversation_id] = asyncio.Lock()
    async with lock:
        yield
