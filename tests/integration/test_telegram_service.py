"""`python run.py` with bot tokens set: bootstrap starts the bots, the webhook routes and the dispatcher."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from handlers import copy
from tests.support.bot_service import SECRET, eventually, fakes, fixture
from tests.support.fake_bot_api import FakeBotApi
from tests.support.service import RunningService

__all__ = ["fakes"]


@pytest.fixture
async def service(
    fresh_db_url: str, tmp_path: Path, fakes: tuple[FakeBotApi, FakeBotApi]
) -> AsyncIterator[RunningService]:
    telegram, bale = fakes
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": telegram.token,
        "PEYK_TELEGRAM_API_URL": telegram.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_BALE_TOKEN": bale.token,
        "PEYK_BALE_API_URL": bale.api_url,
    }
    running = RunningService(env, tmp_path)
    await running.start()
    yield running
    assert await running.stop() == 0, running.log()


async def post(service: RunningService, path: str, update: dict, secret: str = SECRET) -> tuple[int, dict]:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    body = json.dumps(update).encode()
    async with aiohttp.ClientSession() as session, session.post(service.url + path, data=body, headers=headers) as r:
        return r.status, await r.json()


async def test_run_py_sets_both_webhooks_stores_updates_once_and_greets_through_the_outbox(
    service: RunningService, fakes: tuple[FakeBotApi, FakeBotApi]
) -> None:
    telegram, bale = fakes
    await eventually(lambda: _now(telegram.webhook and bale.webhook))
    assert telegram.webhook["url"] == "https://crm.example.ir/hooks/telegram"
    assert bale.webhook["url"] == "https://crm.example.ir/hooks/bale"
    assert telegram.webhook["secret_token"] == SECRET
    assert await post(service, "/hooks/telegram", fixture("start"), secret="wrong") == (
        403,
        {"error": "wrong or missing X-Telegram-Bot-Api-Secret-Token"},
    )
    assert await post(service, "/hooks/telegram", fixture("start")) == (200, {"ok": True, "status": "stored"})
    assert await post(service, "/hooks/telegram", fixture("start")) == (200, {"ok": True, "status": "duplicate"})
    (greeting,) = await eventually(lambda: _now(telegram.sent("sendMessage")))
    assert greeting.params["chat_id"] == "5123456789" and greeting.params["text"].startswith(copy.GREETING)
    assert (await post(service, "/hooks/bale", fixture("bale_text")))[0] == 200


async def _now(value: object) -> object:
    return value
