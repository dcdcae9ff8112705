"""One transaction per action, with its events published after the outermost commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from tortoise.transactions import in_transaction

from core.events import Event, bus


class Outcome:
    """Collects the events of a transaction; they go out only if it commits."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, name: str, **data: object) -> None:
        self.events.append(Event(name, dict(data)))


_current: ContextVar[Outcome | None] = ContextVar("peyk_outcome", default=None)


@asynccontextmanager
async def atomic() -> AsyncIterator[Outcome]:
    """`async with atomic() as out:` — one transaction; `out.emit(...)` publishes after commit.

    Nested inside another `atomic()`, it runs as a savepoint and its events join the outer
    transaction's, so nothing is announced before the outermost commit (or at all on rollback).
    """
    outer = _current.get()
    if outer is not None:
        inner = Outcome()
        async with in_transaction():
            yield inner
        outer.events.extend(inner.events)
        return
    out = Outcome()
    token = _current.set(out)
    try:
        async with in_transaction():
            yield out
    finally:
        _current.reset(token)
    await bus.publish(*out.events)
