"""One transaction per action, with its events published after commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.transactions import in_transaction

from core.events import Event, bus


class Outcome:
    """Collects the events of a transaction; they go out only if it commits."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, name: str, **data: object) -> None:
        self.events.append(Event(name, dict(data)))


@asynccontextmanager
async def atomic() -> AsyncIterator[Outcome]:
    """`async with atomic() as out:` — one transaction; `out.emit(...)` publishes after commit."""
    out = Outcome()
    async with in_transaction():
        yield out
    await bus.publish(*out.events)
