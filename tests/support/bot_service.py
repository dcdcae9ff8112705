"""Peyk's web app and bots served in-process on a loopback port, talking to fake Bot APIs on 127.0.0.1.

Import the `peyk` fixture into a test module (`from tests.support.bot_service import peyk`): it
starts a fake Telegram and a fake Bale Bot API, then the web app with the webhook routes and the
bot runtime (webhook mode: setWebhook goes to the fakes), on an emptied, migrated database.
These test the channel plumbing, so the dialog engine is off unless a test calls `with_dialog()`;
the customer bot's own scenarios run in tests/support/bot_world.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from admin.app import create_app
from admin.hooks.telegram import DOORS_KEY
from bots.runtime import BotRuntime
from core import attachments
from core.config import Settings
from handlers.engine import engine_for
from tests.support.fake_bot_api import FakeBotApi
from tests.support.service import free_port

TELEGRAM_TOKEN = "7012345678:AAH-telegram-test-token"
BALE_TOKEN = "1234567890:bale-test-token"
SECRET = "peyk-webhook-secret_0123456789"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"


def fixture(name: str) -> dict[str, Any]:
    """A Telegram update fixture as a dict."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15) -> Any:
    """Poll `check` until it returns something truthy (the background work finished)."""
    async with asyncio.timeout(timeout):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.05)


@dataclass
class Response:
    status: int
    body: Any


@dataclass
class BotService:
    """The running app: `url`, its settings and runtime, and the two fake Bot APIs."""

    url: str
    settings: Settings
    runtime: BotRuntime
    telegram: FakeBotApi
    bale: FakeBotApi

    async def post(
        self,
        path: str,
        body: bytes | dict[str, Any] | list[Any],
        *,
        secret: str | None = SECRET,
        content_type: str = "application/json",
    ) -> Response:
        """POST a body (dicts and lists as JSON) with the secret header unless `secret` is None."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with aiohttp.ClientSession() as session, session.post(self.url + path, data=data, headers=headers) as r:
            text = await r.text()
            try:
                parsed: Any = json.loads(text)
            except ValueError:
                parsed = text
            return Response(r.status, parsed)

    async def update(self, update: dict[str, Any], channel: str = "telegram", **kw: Any) -> Response:
        """POST an Update to /hooks/<channel>."""
        return await self.post(f"/hooks/{channel}", update, **kw)

    def with_dialog(self) -> None:
        """Let the dialog engine answer stored messages, as in production."""
        for door in self.runtime.doors.values():
            door.engine = engine_for(self.settings)


async def serve(settings: Settings, telegram: FakeBotApi, bale: FakeBotApi) -> tuple[BotService, Callable[[], Any]]:
    """Start the app and the bots for `settings`; returns the service and its async closer."""
    app = create_app(settings)
    runtime = BotRuntime(settings, app[DOORS_KEY], retry_s=0.2)
    await runtime.start()
    for door in runtime.doors.values():
        door.engine = None  # plumbing only; see with_dialog()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    await runtime.wait_ready()

    async def close() -> None:
        await runtime.stop()
        await runner.cleanup()

    url = f"http://{settings.http_host}:{settings.http_port}"
    return BotService(url, settings, runtime, telegram, bale), close


def make_settings(db_url: str, data_dir: Path, telegram: FakeBotApi, bale: FakeBotApi, *, webhook: bool) -> Settings:
    port = free_port()
    return Settings(
        database_url=db_url,
        data_dir=data_dir,
        http_host="127.0.0.1",
        http_port=port,
        public_url="https://peyk.example.ir" if webhook else None,
        secret_key="s" * 32,
        telegram_token=TELEGRAM_TOKEN,
        telegram_api_url=telegram.api_url,
        telegram_webhook_secret=SECRET,
        bale_token=BALE_TOKEN,
        bale_api_url=bale.api_url,
    )


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeBotApi, FakeBotApi]]:
    """A fake Telegram and a fake Bale Bot API."""
    telegram = await FakeBotApi(TELEGRAM_TOKEN).start()
    bale = await FakeBotApi(BALE_TOKEN).start()
    yield telegram, bale
    await telegram.stop()
    await bale.stop()


@pytest.fixture
async def peyk(
    db: str, fakes: tuple[FakeBotApi, FakeBotApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotService]:
    """The app with both bots in webhook mode on an emptied database; files go under tmp_path."""
    monkeypatch.setattr(attachments, "_data_dir", tmp_path)
    settings = make_settings(db, tmp_path, *fakes, webhook=True)
    service, close = await serve(settings, *fakes)
    yield service
    await close()


__all__ = ["SECRET", "BotService", "eventually", "fakes", "fixture", "make_settings", "peyk", "serve"]
