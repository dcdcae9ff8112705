"""One chat's turns are taken in arrival order (by stored message id), also when two `python run.py`
processes on PostgreSQL each receive half of 32 concurrent updates for that chat (on SQLite, one
process by design, the same burst goes to one process).

The updates are real-format Telegram messages posted over HTTP to the processes' webhooks; the fake
Bot API answers their sends. Each message is one of four kinds whose bot reply is told apart by its
text, so the replies, in the order the steps queued them, must follow the messages in stored order.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.models import Conversation, Direction, Message
from handlers import copy
from tests.support.bot_service import SECRET, fakes
from tests.support.databases import backend
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_kavenegar import eventually
from tests.support.orm import orm_on
from tests.support.service import RunningService

__all__ = ["fakes"]

CHAT = 6_300_000_001
OTHERS = 6_310_000_000
BURST = 32
LONG = "ب" * 1001  # over the engine's 1000-character input limit
# What the customer sends, and how the bot's reply to it is recognised.
KINDS = {"/start": "start", LONG: "long", "منو": "menu", "چطور هستید": "unknown"}
TOO_LONG_HEAD = copy.TOO_LONG.split("{", 1)[0]


def reply_kind(text: str) -> str:
    """Which kind of message a bot reply answers."""
    if TOO_LONG_HEAD in text:
        return "long"
    if copy.GREETING in text:
        return "start"
    if copy.CHOOSE_BUTTONS in text:
        return "unknown"
    return "menu"


def burst() -> list[str]:
    """A fixed shuffle of the four kinds (neighbours mostly differ, so a swap shows)."""
    texts = list(KINDS)
    return [texts[(i * 7 + i // 4) % 4] for i in range(1, BURST + 1)]


def update(update_id: int, message_id: int, text: str, chat_id: int = CHAT) -> dict[str, Any]:
    who = {"id": chat_id, "is_bot": False, "first_name": "نیلوفر", "language_code": "fa"}
    chat = {"id": chat_id, "first_name": "نیلوفر", "type": "private"}
    message = {"message_id": message_id, "from": who, "chat": chat, "date": int(time.time()), "text": text}
    return {"update_id": update_id, "message": message}


@pytest.fixture
async def processes(
    fresh_db_url: str, tmp_path: Path, fakes: tuple[FakeBotApi, FakeBotApi]
) -> AsyncIterator[list[RunningService]]:
    """Two `python run.py` on PostgreSQL (one on SQLite) in webhook mode against the fake Bot API."""
    telegram, _ = fakes
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_SECRET_KEY": "k" * 40,
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": telegram.token,
        "PEYK_TELEGRAM_API_URL": telegram.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    running = [RunningService(env, tmp_path) for _ in range(2 if backend() == "postgres" else 1)]
    await running[0].start()  # migrates the database
    for service in running[1:]:
        await service.start()
    yield running
    for service in running:
        assert await service.stop() == 0, service.log()


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with session.post(f"{url}/hooks/telegram", json=body, headers=headers) as resp:
        assert resp.status == 200, await resp.text()


async def test_a_burst_for_one_chat_across_processes_is_answered_in_stored_message_order(
    processes: list[RunningService], fresh_db_url: str, fakes: tuple[FakeBotApi, FakeBotApi]
) -> None:
    telegram, _ = fakes
    ids = itertools.count(810_000_001)
    async with aiohttp.ClientSession() as session:
        await _post(session, processes[0].url, update(next(ids), 1, "/start"))  # the chat and its contact exist
        bodies = [update(next(ids), n, text) for n, text in enumerate(burst(), start=2)]
        # Other customers write at the same time, so each process is busy with more than this one chat.
        others = [update(next(ids), 1, "/start", OTHERS + n) for n in range(BURST * 2)]
        posts = [_post(session, processes[i % len(processes)].url, b) for i, b in enumerate(bodies)]
        posts += [_post(session, processes[(i // 3) % len(processes)].url, b) for i, b in enumerate(others)]
        await asyncio.gather(
            *(post for pair in itertools.zip_longest(posts[:BURST], posts[BURST:]) for post in pair if post)
        )

    async with orm_on(fresh_db_url):
        conversation = await Conversation.get(thread_key=str(CHAT))

        async def replies() -> list[str]:
            out = Message.filter(conversation_id=conversation.id, direction=Direction.OUT).order_by("id")
            texts = await out.values_list("text", flat=True)
            return texts if len(texts) == BURST + 1 else []

        answered = await eventually(replies, timeout=120)
        inbound = Message.filter(conversation_id=conversation.id, direction=Direction.IN).order_by("id")
        asked = [KINDS[t] for t in await inbound.values_list("text", flat=True)]
    assert len(asked) == BURST + 1 and set(asked) == set(KINDS.values())
    assert [reply_kind(t) for t in answered] == asked
    await eventually(lambda: _all_sent(telegram), timeout=60)


async def _all_sent(telegram: FakeBotApi) -> bool:
    return len(telegram.sent("sendMessage")) == BURST * 3 + 1
