"""Domain events, published only after the transaction that caused them commits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something that happened: `name` such as `message.received`, plus ids in `data`."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], Awaitable[None] | None]


class EventBus:
    """In-process publish/subscribe; a failing subscriber is logged, never breaks the publisher."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []

    def subscribe(self, prefix: str, fn: Subscriber) -> Callable[[], None]:
        """Call `fn` for every event whose name starts with `prefix`; returns an unsubscribe."""
        entry = (prefix, fn)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry) if entry in self._subscribers else None

    async def publish(self, *events: Event) -> None:
        for event in events:
            for prefix, fn in list(self._subscribers):
                if not event.name.startswith(prefix):
                    continue
                try:
                    result = fn(event)
                    if asyncio.iscoroutine(result):
                        await result
                except Exception:
                    log.exception("event subscriber failed for %s", event.name)


bus = EventBus()
