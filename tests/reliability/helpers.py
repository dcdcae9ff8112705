"""What the reliability tests share: raw SQL counts from outside the service, update builders, fakes that restart.

The service under test is `python run.py` in a subprocess (tests/support/service.py); these tests
read its database directly (sqlite3 or asyncpg) instead of through the ORM of the test process.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from tests.support.fake_bot_api import FakeBotApi

SECRET = "reliability-webhook-secret_0123"
TOKEN = "7012345678:AAH-reliability-token"


async def sql_rows(database_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of one query against the service's database (SQLite `?` or PostgreSQL `$1` placeholders)."""
    if database_url.startswith("sqlite"):
        path = database_url.split("://", 1)[1].split("?", 1)[0]

        def read() -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=30) as conn:
                return [tuple(r) for r in conn.execute(sql, args).fetchall()]

        return await asyncio.to_thread(read)
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        numbered, index = [], 0
        for ch in sql:
            if ch == "?":
                index += 1
                numbered.append(f"${index}")
            else:
                numbered.append(ch)
        return [tuple(r) for r in await conn.fetch("".join(numbered), *args)]
    finally:
        await conn.close()


async def sql_value(database_url: str, sql: str, *args: Any) -> Any:
    """The first column of the first row."""
    rows = await sql_rows(database_url, sql, *args)
    return rows[0][0] if rows else None


def telegram_update(update_id: int, chat_id: int, message_id: int, text: str, *, name: str = "مریم") -> dict:
    """A real-format private-chat text Update."""
    user = {"id": chat_id, "is_bot": False, "first_name": name, "language_code": "fa"}
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": user,
        "chat": {"id": chat_id, "first_name": name, "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


async def post_json(
    session: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str] | None = None
) -> int | None:
    """POST a JSON body; the status, or None when the connection failed (service down)."""
    try:
        async with session.post(
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return None


async def until(check: Callable[[], Any], timeout: float = 60, interval: float = 0.05) -> Any:
    """Poll `check` (plain or async) until truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        await asyncio.sleep(interval)


class RestartableBotApi(FakeBotApi):
    """The fake Bot API that can stop (connection refused) and start again on the same port."""

    async def start(self) -> RestartableBotApi:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]
        return self


def duplicates(items: Sequence[Any]) -> list[Any]:
    """Items that occur more than once."""
    counts = Counter(items)
    return sorted((x for x, n in counts.items() if n > 1), key=str)
