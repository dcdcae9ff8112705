"""kill -9 while Telegram and Kavenegar deliver webhooks: nothing acknowledged is ever lost or stored twice.

Like the real providers, the sender keeps every update or callback that did not get a 2xx and
delivers it again later; the service is SIGKILLed several times mid-load and restarted.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.reliability.helpers import SECRET, TOKEN, RestartableBotApi, sql_rows, sql_value, telegram_update, until
from tests.support.fake_kavenegar import FakeKavenegar
from tests.support.service import RunningService, free_port

KILLS = 3
CHATS = 12
PER_CHAT = 12
SMS = 60
CALLBACK = "kill9-callback-secret"


@pytest.fixture
async def providers() -> AsyncIterator[tuple[RestartableBotApi, FakeKavenegar]]:
    bot = await RestartableBotApi(TOKEN).start()
    sms = FakeKavenegar()
    await sms.start()
    yield bot, sms
    await bot.stop()
    await sms.stop()


class Deliveries:
    """Webhook deliveries the way a provider makes them: retried until a 2xx, from several connections."""

    def __init__(self, requests: list[tuple[str, bytes, dict[str, str]]]) -> None:
        self.requests = requests
        self.pending = list(range(len(requests)))
        self.acked: set[int] = set()
        self.statuses: list[int] = []
        self.base_url = ""

    async def run(self, stop: asyncio.Event, workers: int = 6) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            await asyncio.gather(*(self._worker(session, stop) for _ in range(workers)))

    async def _worker(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if not self.pending:
                await asyncio.sleep(0.05)
                continue
            index = self.pending.pop(0)
            path, body, headers = self.requests[index]
            status = await self._post(session, path, body, headers)
            if status is not None and 200 <= status < 300:
                self.acked.add(index)
                self.statuses.append(status)
            else:
                self.pending.append(index)  # the provider tries again later
                await asyncio.sleep(0.05)

    async def _post(
        self, session: aiohttp.ClientSession, path: str, body: bytes, headers: dict[str, str]
    ) -> int | None:
        try:
            async with session.post(self.base_url + path, data=body, headers=headers) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, TimeoutError):
            return None


def _requests() -> list[tuple[str, bytes, dict[str, str]]]:
    import json

    rng = random.Random(9)
    telegram = []
    update_id = 880_000_000
    for n in range(PER_CHAT):
        for chat in range(CHATS):
            update_id += 1
            text = "/start" if n == 0 else f"پیام شماره {n} از گفتگوی {chat}"
            update = telegram_update(update_id, 6_100_000_000 + chat, n + 1, text)
            headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
            telegram.append(("/hooks/telegram", json.dumps(update, ensure_ascii=False).encode(), headers))
    sms = []
    for n in range(SMS):
        fields = {"messageid": str(77_000_000 + n), "from": f"0912{rng.randrange(10**6, 10**7)}", "to": "10004346"}
        fields["message"] = f"درخواست شماره {n}"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        sms.append((f"/hooks/kavenegar/{CALLBACK}/inbound", urlencode(fields).encode(), headers))
    mixed = telegram + sms
    rng.shuffle(mixed)
    return mixed


async def _is(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_every_acknowledged_webhook_survives_repeated_kill_9_and_redelivery_stores_nothing_new(
    fresh_db_url: str, tmp_path: Path, providers: tuple[RestartableBotApi, FakeKavenegar]
) -> None:
    bot, sms = providers
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_HTTP_PORT": str(free_port()),
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": TOKEN,
        "PEYK_TELEGRAM_API_URL": bot.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_KAVENEGAR_API_KEY": sms.api_key,
        "PEYK_KAVENEGAR_API_URL": sms.url,
        "PEYK_KAVENEGAR_SENDER": "10004346",
        "PEYK_KAVENEGAR_CALLBACK_SECRET": CALLBACK,
    }
    requests = _requests()
    deliveries = Deliveries(requests)
    service = RunningService(env, tmp_path)
    await service.start()
    deliveries.base_url = service.url
    stop = asyncio.Event()
    load = asyncio.create_task(deliveries.run(stop))
    try:
        for kill in range(KILLS):
            target = len(requests) * (kill + 1) // (KILLS + 2)
            await until(lambda t=target: len(deliveries.acked) >= t)
            await service.kill()  # SIGKILL, in the middle of requests in flight
            service = RunningService(env, tmp_path)
            await service.start()
        await until(lambda: not deliveries.pending, timeout=120)
    finally:
        stop.set()
        await load
    acked = len(deliveries.acked)
    assert acked == len(requests)
    stored = await sql_value(fresh_db_url, "SELECT COUNT(*) FROM message WHERE direction = 'in'")
    external = await sql_rows(fresh_db_url, "SELECT channel, external_id FROM message WHERE direction = 'in'")
    assert stored == len(requests) == len(set(external))  # every acknowledged request stored, each once

    # The bot answers after the ack, so a kill can fall between the two: the step owed is kept with the
    # message and taken after the restart. Every stored message gets its one reply, none twice.
    async def settled() -> bool:
        return await sql_value(fresh_db_url, "SELECT COUNT(*) FROM pending_step") == 0

    async def replies() -> int:
        return int(await sql_value(fresh_db_url, "SELECT COUNT(*) FROM outbound_message WHERE kind = 'bot'"))

    await until(settled, timeout=60)
    await until(lambda: _is(replies(), stored), timeout=60)
    await asyncio.sleep(1)  # a second reply to any message would show up by now
    assert await replies() == stored

    # The providers deliver everything again (they never saw some answers): nothing new is stored.
    again = Deliveries(requests)
    again.base_url = service.url
    stop = asyncio.Event()
    task = asyncio.create_task(again.run(stop))
    await until(lambda: len(again.acked) == len(requests), timeout=120)
    stop.set()
    await task
    assert await sql_value(fresh_db_url, "SELECT COUNT(*) FROM message WHERE direction = 'in'") == stored
    assert await service.stop() == 0, service.log()
