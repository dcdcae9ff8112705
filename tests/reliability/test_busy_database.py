"""A database another connection keeps locked: webhooks never answer 2xx for what they did not store.

On SQLite the lock outlasts the busy timeout, so every webhook must answer 5xx (the provider then
retries); on PostgreSQL writers wait for the lock, so no answer may come before it is released. Both
then recover: the same deliveries again are answered 2xx and stored exactly once.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import asyncpg
import pytest

from tests.reliability.helpers import SECRET, TOKEN, RestartableBotApi, sql_value, telegram_update
from tests.support.databases import backend
from tests.support.fake_kavenegar import FakeKavenegar
from tests.support.service import RunningService

CALLBACK = "busy-callback-secret"
CTI = "busy-cti-token"
EACH = 4
STORED = "SELECT COUNT(*) FROM message WHERE direction = 'in'"
CALLS = "SELECT COUNT(*) FROM call"


@pytest.fixture
async def service(fresh_db_url: str, tmp_path: Path) -> AsyncIterator[tuple[RunningService, str]]:
    bot = await RestartableBotApi(TOKEN).start()
    sms = FakeKavenegar()
    await sms.start()
    # A short busy timeout keeps the test quick; the behaviour is the same at the default 5 s.
    url = fresh_db_url + "?busy_timeout=300" if backend() == "sqlite" else fresh_db_url
    env = {
        "PEYK_DATABASE_URL": url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": TOKEN,
        "PEYK_TELEGRAM_API_URL": bot.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_KAVENEGAR_API_KEY": sms.api_key,
        "PEYK_KAVENEGAR_API_URL": sms.url,
        "PEYK_KAVENEGAR_CALLBACK_SECRET": CALLBACK,
        "PEYK_CTI_TOKEN": CTI,
    }
    running = RunningService(env, tmp_path)
    await running.start()
    yield running, fresh_db_url
    assert await running.stop() == 0, running.log()
    await bot.stop()
    await sms.stop()


def _deliveries() -> list[tuple[str, bytes, dict[str, str]]]:
    found = []
    for n in range(EACH):
        update = telegram_update(990_000_000 + n, 6_300_000_000 + n, 1, f"سلام {n}")
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        found.append(("/hooks/telegram", json.dumps(update).encode(), headers))
        fields = {"messageid": str(55_000_000 + n), "from": f"0912555000{n}", "to": "10004346", "message": "سلام"}
        found.append(
            (
                f"/hooks/kavenegar/{CALLBACK}/inbound",
                urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
        )
        event = {
            "event": "newCall",
            "callId": f"busy-{n}",
            "from": f"0912666000{n}",
            "to": "02188776655",
            "direction": "in",
        }
        found.append((f"/hooks/cti/{CTI}", json.dumps(event).encode(), {"Content-Type": "application/json"}))
    return found


async def _post_all(base: str, deliveries: list[tuple[str, bytes, dict[str, str]]]) -> list[tuple[int, float]]:
    """Every delivery at once; (status, monotonic time of the answer) for each."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def one(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
            async with session.post(base + path, data=body, headers=headers) as resp:
                await resp.read()
                return resp.status, time.monotonic()

        return list(await asyncio.gather(*(one(*d) for d in deliveries)))


async def test_webhooks_never_acknowledge_what_a_locked_database_kept_from_being_stored_and_recover_after(
    service: tuple[RunningService, str],
) -> None:
    running, db_url = service
    deliveries = _deliveries()
    if backend() == "sqlite":
        path = db_url.split("://", 1)[1]
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
        try:
            answers = await _post_all(running.url, deliveries)
            assert all(status >= 500 for status, _ in answers), answers
            assert await sql_value(db_url, STORED) == 0
        finally:
            locker.execute("ROLLBACK")
            locker.close()
    else:
        conn = await asyncpg.connect(db_url.replace("postgres://", "postgresql://", 1))
        try:
            lock = conn.transaction()
            await lock.start()
            await conn.execute('LOCK TABLE "message", "call" IN EXCLUSIVE MODE')  # readers go on, writers wait
            posting = asyncio.create_task(_post_all(running.url, deliveries))
            await asyncio.sleep(1.0)
            released = time.monotonic()
            await lock.rollback()
            answers = await posting
        finally:
            await conn.close()
        # Writers waited: nothing was acknowledged before the lock let it be stored.
        assert all(at >= released for _, at in answers)
        assert all(200 <= status < 300 for status, _ in answers), answers
    again = await _post_all(running.url, deliveries)
    assert all(200 <= status < 300 for status, _ in again), again
    assert await sql_value(db_url, STORED) == 2 * EACH  # Telegram and SMS messages, each once
    assert await sql_value(db_url, CALLS) == EACH
