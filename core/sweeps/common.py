"""What every sweep shares: one item at a time in its own (sub)transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from core.tx import atomic

log = logging.getLogger("peyk.sweeps")

T = TypeVar("T")


async def each(what: str, items: Iterable[T], handle: Callable[[T], Awaitable[int | bool | None]]) -> int:
    """Handle items one by one, each in its own transaction (a savepoint inside a locked sweep).

    A failing item is logged and rolled back alone; the others still run. Returns the sum of results.
    """
    done = 0
    for item in items:
        try:
            async with atomic():
                done += int(await handle(item) or 0)
        except Exception:
            log.exception("%s sweep: item %r failed; the next sweep tries again", what, item)
    return done
