"""Reading the admin's Server-Sent Events stream in tests, as a signed-in browser would."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp


class EventStream:
    """An open /admin/events stream; `next()` returns the next `peyk` event's data."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    @classmethod
    async def open(cls, session: aiohttp.ClientSession, base: str) -> EventStream:
        response = await session.get(base + "/admin/events", headers={"Accept": "text/event-stream"})
        assert response.status == 200, await response.text()
        stream = cls(response)
        # The server's first bytes say the stream is registered: events after this reach it.
        line = await asyncio.wait_for(response.content.readline(), 10)
        assert line.startswith(b"retry:"), line
        return stream

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        """The next event's data (heartbeats skipped); TimeoutError when none comes."""
        async with asyncio.timeout(timeout):
            name = ""
            while True:
                raw = await self.response.content.readline()
                if not raw:
                    raise ConnectionError("the event stream ended")
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and name == "peyk":
                    return dict(json.loads(line.split(":", 1)[1]))

    async def until(self, name: str, timeout: float = 10, **match: object) -> dict[str, Any]:
        """The first event called `name` whose data has the given values (others are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.next(timeout)
                if event["name"] == name and all(event.get(k) == v for k, v in match.items()):
                    return event

    def close(self) -> None:
        self.response.close()
