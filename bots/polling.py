"""Long polling (no public URL): a small getUpdates loop that goes through the same door as webhooks.

The offset moves past an update only once the door stored it, so a crash or a database outage
means Telegram hands the update out again (at least once; the door dedupes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bots.door import UpdateDoor
from channels.telegram import ALLOWED_UPDATES

log = logging.getLogger(__name__)


class Poller:
    """Fetches updates of one bot with getUpdates and takes each through `door`."""

    def __init__(
        self, door: UpdateDoor, token: str, api_url: str, *, timeout: int = 25, max_backoff: float = 60
    ) -> None:
        self.door = door
        self._url = f"{api_url}{token}/getUpdates"
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.offset: int | None = None

    async def run(self) -> None:
        """Poll until cancelled; network trouble waits with backoff, never stops the loop."""
        backoff = 1.0
        client_timeout = aiohttp.ClientTimeout(total=self.timeout + 15, connect=10)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            while True:
                wait = await self.poll_once(session)
                if wait is None:
                    backoff = 1.0
                    continue
                await asyncio.sleep(wait or backoff)
                backoff = min(backoff * 2, self.max_backoff)

    async def poll_once(self, session: aiohttp.ClientSession) -> float | None:
        """One getUpdates call and its updates; a number of seconds to wait when it went wrong."""
        body: dict[str, Any] = {"timeout": self.timeout, "allowed_updates": list(ALLOWED_UPDATES)}
        if self.offset is not None:
            body["offset"] = self.offset
        try:
            async with session.post(self._url, json=body) as resp:
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # The exception text may carry the URL and so the token: log its kind only.
            log.warning("%s getUpdates failed: %s", self.door.channel, type(exc).__name__)
            return 0.0
        if not isinstance(data, dict) or not data.get("ok") or not isinstance(data.get("result"), list):
            description = data.get("description") if isinstance(data, dict) else "not JSON"
            log.warning("%s getUpdates refused: %s", self.door.channel, description)
            parameters = data.get("parameters") if isinstance(data, dict) else None
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            return float(retry_after) if isinstance(retry_after, (int, float)) else 0.0
        for raw in data["result"]:
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                log.warning("%s getUpdates returned a malformed update; skipped", self.door.channel)
                continue
            result = await self.door.take(raw)
            if not result.ok and result.status == "failed":
                return 0.0  # not stored: ask for it again from here
            self.offset = raw["update_id"] + 1
        return None
