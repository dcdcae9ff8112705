"""kill -9 in the middle of a burst of replies to one chat: the chat still gets them one at a time, in order.

The service (`python run.py`) sends a dozen staff replies queued through the API to one Telegram
chat; it is SIGKILLed while they go out and started again. The only repeat allowed is the reply that
was in flight at the kill (sent, but not yet recorded), and it comes again right where it was.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.reliability.helpers import SECRET, TOKEN, RestartableBotApi, sql_value, telegram_update, until
from tests.support.chat_watch import ChatWatchingBotApi
from tests.support.service import RunningService, free_port, run_py

CHAT = 6_300_000_001
BURST = 12
KILL_AFTER = 4  # replies delivered before the kill


class WatchedBotApi(ChatWatchingBotApi, RestartableBotApi):
    """The restartable fake Bot API, watching the chat; every send takes a moment, as under load."""


@pytest.fixture
async def bot() -> AsyncIterator[WatchedBotApi]:
    api = await WatchedBotApi(TOKEN, slow_each=0.15).start()
    yield api
    await api.stop()


@pytest.fixture
async def services() -> AsyncIterator[list[RunningService]]:
    """Services the test started; any still running when it ends (a failed assertion) are killed."""
    started: list[RunningService] = []
    yield started
    for service in started:
        await service.kill()


def without_repeats(texts: list[str]) -> list[str]:
    """The texts with a text repeated right after itself counted once."""
    return [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]


async def post(session: aiohttp.ClientSession, url: str, body: dict, headers: dict[str, str]) -> int:
    data = json.dumps(body, ensure_ascii=False).encode()
    async with session.post(url, data=data, headers={"Content-Type": "application/json", **headers}) as resp:
        await resp.read()
        return resp.status


async def test_a_kill_9_mid_burst_to_one_chat_keeps_its_replies_in_order_and_one_at_a_time(
    fresh_db_url: str, tmp_path: Path, bot: WatchedBotApi, services: list[RunningService]
) -> None:
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_HTTP_PORT": str(free_port()),
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": TOKEN,
        "PEYK_TELEGRAM_API_URL": bot.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_ADMIN_PASSWORD": "a-long-enough-password-1405",
    }
    await run_py(env, tmp_path, "createadmin", "sara")
    token = (await run_py(env, tmp_path, "token", "sara")).splitlines()[-1].strip()
    service = RunningService(env, tmp_path)
    services.append(service)
    await service.start()
    replies = [f"پاسخ شماره {n} از {BURST}: پیگیری سفارش شما ادامه دارد." for n in range(1, BURST + 1)]
    async with aiohttp.ClientSession() as session:
        update = telegram_update(890_000_001, CHAT, 1, "سلام، سفارشم کی می‌رسد؟")
        hook = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert await post(session, service.url + "/hooks/telegram", update, hook) == 200
        conversation = await until(lambda: sql_value(fresh_db_url, "SELECT id FROM conversation"))
        url = f"{service.url}/api/v1/conversations/{conversation}/messages"
        for text in replies:  # the burst: queued one after another, faster than one chat may receive
            assert await post(session, url, {"text": text}, {"Authorization": f"Bearer {token}"}) == 201

    def ours() -> list[str]:
        return [t for t in bot.delivered[str(CHAT)] if t in replies]

    await until(lambda: len(ours()) >= KILL_AFTER)
    await service.kill()  # SIGKILL while the rest of the burst waits or is in flight
    assert len(set(ours())) < BURST  # the kill did fall in the middle of the burst
    service = RunningService(env, tmp_path)
    services.append(service)
    await service.start()
    await until(lambda: set(ours()) == set(replies), timeout=240)  # PostgreSQL reclaims a dead claim after 2 min
    assert without_repeats(ours()) == replies  # in order; at most the reply in flight at the kill came twice
    assert len(ours()) <= BURST + 1
    assert bot.most_in_flight[str(CHAT)] == 1  # never two sends to the chat at once, before or after the kill
    unsent = "SELECT COUNT(*) FROM outbound_message WHERE status <> 'sent'"
    await until(lambda: _zero(fresh_db_url, unsent))  # and the database agrees: every row recorded sent
    assert await service.stop() == 0, service.log()


async def _zero(url: str, sql: str) -> bool:
    return await sql_value(url, sql) == 0
