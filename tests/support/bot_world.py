"""The customer bot end to end, in-process: web app, Telegram/Bale bots, SMS hooks and the outbox
dispatcher, talking to a fake Bot API and a fake Kavenegar on 127.0.0.1.

`world` (fixture) starts it all on an emptied database. Customers post real-format updates and
Kavenegar callbacks through HTTP (`world.telegram_user(...)`, `world.sms_user(...)`), and read what
the bot sent from the fakes. `await world.restart()` stops every part and starts it again. A subclass may point the same
customers at `python run.py` in a subprocess (tests/integration/test_bot_restart.py).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from admin.app import create_app
from admin.hooks.telegram import DOORS_KEY
from bootstrap import register_engines
from bots.runtime import BotRuntime
from channels.dispatcher import start_dispatcher
from core import attachments
from core.config import Settings
from core.models import Attachment, FileState, OutboundMessage, OutboxStatus, PendingStep
from handlers.stepper import stepper
from tests.support.bot_service import BALE_TOKEN, SECRET, TELEGRAM_TOKEN
from tests.support.fake_bot_api import BotCall, FakeBotApi
from tests.support.fake_kavenegar import FakeKavenegar, eventually
from tests.support.service import free_port

SMS_SECRET = "kv-bot-7c1f0e2a"
LINE = "30004505"
_update_ids = itertools.count(700_000_001)
_sms_ids = itertools.count(91_000_001)


class TelegramUser:
    """A customer in a private chat with the bot (Telegram or Bale)."""

    def __init__(self, world: BotWorld, user_id: int, first_name: str, channel: str = "telegram") -> None:
        self.world, self.user_id, self.first_name, self.channel = world, user_id, first_name, channel
        self._message_ids = itertools.count(1)

    @property
    def api(self) -> FakeBotApi:
        return self.world.bale if self.channel == "bale" else self.world.telegram

    def _who(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name, "language_code": "fa"}

    async def _post(self, message: dict[str, Any]) -> None:
        chat = {"id": self.user_id, "first_name": self.first_name, "type": "private"}
        body = {"message_id": next(self._message_ids), "from": self._who(), "chat": chat, "date": int(time.time())}
        await self.world.post_update({"update_id": next(_update_ids), "message": {**body, **message}}, self.channel)

    async def say(self, text: str) -> None:
        """Send a text message (a command when it starts with /)."""
        extra = {"entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]}
        await self._post({"text": text, **(extra if text.startswith("/") else {})})

    async def share_contact(self, phone: str, *, user_id: int | None = None, first_name: str = "") -> None:
        """Share a contact card: the customer's own (default) or someone else's (another user_id)."""
        card = {"phone_number": phone, "first_name": first_name or self.first_name, "user_id": user_id or self.user_id}
        await self._post({"contact": card})

    async def photo(self, file_id: str, data: bytes, caption: str = "") -> None:
        """Send a photo (the fake serves its bytes to getFile)."""
        self.api.add_file(file_id, data, path=f"photos/{file_id}.jpg")
        size = {
            "file_id": file_id,
            "file_unique_id": file_id[-10:],
            "file_size": len(data),
            "width": 800,
            "height": 600,
        }
        await self._post({"photo": [size], **({"caption": caption} if caption else {})})

    async def press(self, label: str) -> None:
        """Press the inline button labelled `label` on the bot's latest message that has it."""
        for call in reversed(self.messages()):
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        await self._callback(button["callback_data"], call)
                        return
        raise AssertionError(f"no button {label!r} in {[c.params.get('text') for c in self.messages()]}")

    async def press_data(self, data: str) -> None:
        """Press a button carrying `data` (forged or stale) on the bot's latest message."""
        await self._callback(data, self.messages()[-1])

    async def _callback(self, data: str, call: BotCall) -> None:
        chat = {"id": self.user_id, "first_name": self.first_name, "type": "private"}
        origin = {"message_id": 9000 + len(self.messages()), "chat": chat, "date": int(time.time()), "text": "…"}
        query = {
            "id": str(next(_update_ids)),
            "from": self._who(),
            "message": origin,
            "chat_instance": "1",
            "data": data,
        }
        await self.world.post_update({"update_id": next(_update_ids), "callback_query": query}, self.channel)

    def messages(self) -> list[BotCall]:
        """The bot's sendMessage calls to this chat, in order."""
        return [c for c in self.api.sent("sendMessage") if str(c.params.get("chat_id")) == str(self.user_id)]

    def texts(self) -> list[str]:
        return [str(c.params["text"]) for c in self.messages()]

    def last(self) -> str:
        texts = self.texts()
        assert texts, "the bot sent nothing to this chat"
        return texts[-1]

    def buttons(self) -> list[str]:
        """Labels of the inline buttons on the bot's latest message."""
        markup = self.messages()[-1].params.get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


class SmsUser:
    """A customer texting the company's SMS line from `phone` (09… form, as Kavenegar forwards it)."""

    def __init__(self, world: BotWorld, phone: str) -> None:
        self.world, self.phone = world, phone

    async def say(self, text: str) -> dict[str, Any]:
        """One inbound SMS through Kavenegar's callback; returns the hook's JSON answer."""
        fields = {"messageid": str(next(_sms_ids)), "from": self.phone, "to": LINE, "message": text}
        url = f"{self.world.url}/hooks/kavenegar/{SMS_SECRET}/inbound"
        async with aiohttp.ClientSession() as session, session.post(url, data=fields) as resp:
            assert resp.status == 200, await resp.text()
            body: dict[str, Any] = await resp.json()
        if self.world.auto_settle:
            await self.world.settle()
        return body

    def texts(self) -> list[str]:
        return [str(s["message"]) for s in self.world.kavenegar.sms if s["receptor"] == self.phone]

    def last(self) -> str:
        texts = self.texts()
        assert texts, f"no SMS reached {self.phone}"
        return texts[-1]


class BotWorld:
    """The running service parts and the fakes they talk to."""

    def __init__(self, settings: Settings, telegram: FakeBotApi, bale: FakeBotApi, kavenegar: FakeKavenegar) -> None:
        self.settings, self.telegram, self.bale, self.kavenegar = settings, telegram, bale, kavenegar
        self.url = ""
        self.auto_settle = True  # each customer action waits for the bot's answer
        self._closers: list[Any] = []

    async def start(self) -> None:
        app = create_app(self.settings)
        runtime = BotRuntime(self.settings, app[DOORS_KEY], retry_s=0.2)
        await runtime.start()
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.settings.http_host, self.settings.http_port).start()
        await runtime.wait_ready()
        stop_dispatcher = await start_dispatcher(self.settings)
        register_engines(self.settings)  # as bootstrap does: recovered steps find their engine
        self.url = f"http://{self.settings.http_host}:{self.settings.http_port}"
        self._closers = [stop_dispatcher, runtime.stop, runner.cleanup]

    async def stop(self) -> None:
        for close in self._closers:
            await close()
        self._closers = []

    async def restart(self) -> None:
        """Stop the web app, the bots and the dispatcher, then start them again (state only in the database)."""
        await self.stop()
        await self.start()

    async def post_update(self, update: dict[str, Any], channel: str = "telegram") -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{self.url}/hooks/{channel}", json=update, headers=headers) as resp,
        ):
            assert resp.status == 200, await resp.text()
        if self.auto_settle:
            await self.settle()

    async def settle(self) -> None:
        """Wait until the bot has taken every step owed (they run after the ack) and the outbox sent it all."""
        await stepper.drain()
        await eventually(lambda: _none(PendingStep.exists()), timeout=20)
        busy = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
        await eventually(lambda: _none(OutboundMessage.filter(status__in=busy).exists()), timeout=20)
        # Files are fetched after the ack; one the fake serves arrives on the first try.
        fetching = Attachment.filter(state=FileState.PENDING, fetch_error__isnull=True)
        await eventually(lambda: _none(fetching.exists()), timeout=20)

    async def api(self, path: str, token: str, *, method: str = "GET", body: Any = None) -> Any:
        """Call /api/v1 as a staff member with `token`; the JSON answer (asserting success)."""
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, f"{self.url}/api/v1{path}", json=body, headers=headers) as resp,
        ):
            assert resp.status < 300, await resp.text()
            return await resp.json()

    def telegram_user(self, user_id: int, first_name: str = "مشتری", channel: str = "telegram") -> TelegramUser:
        return TelegramUser(self, user_id, first_name, channel)

    def sms_user(self, phone: str) -> SmsUser:
        return SmsUser(self, phone)


async def _none(check: Any) -> bool:
    return not await check


def world_settings(db_url: str, data_dir: Path, telegram: FakeBotApi, bale: FakeBotApi, kv: FakeKavenegar) -> Settings:
    """Both bots in webhook mode and SMS on, against the fakes."""
    return Settings(
        database_url=db_url,
        data_dir=data_dir,
        http_host="127.0.0.1",
        http_port=free_port(),
        public_url="https://peyk.example.ir",
        secret_key="s" * 32,
        telegram_token=TELEGRAM_TOKEN,
        telegram_api_url=telegram.api_url,
        telegram_webhook_secret=SECRET,
        bale_token=BALE_TOKEN,
        bale_api_url=bale.api_url,
        kavenegar_api_key=kv.api_key,
        kavenegar_api_url=kv.url,
        kavenegar_sender=LINE,
        kavenegar_callback_secret=SMS_SECRET,
    )


@pytest.fixture
async def world(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotWorld]:
    """Everything running on an emptied database; files go under tmp_path."""
    monkeypatch.setattr(attachments, "_data_dir", tmp_path)
    telegram = await FakeBotApi(TELEGRAM_TOKEN).start()
    bale = await FakeBotApi(BALE_TOKEN).start()
    kavenegar = FakeKavenegar()
    await kavenegar.start()
    running = BotWorld(world_settings(db, tmp_path, telegram, bale, kavenegar), telegram, bale, kavenegar)
    await running.start()
    yield running
    await running.stop()
    for fake in (telegram, bale, kavenegar):
        await fake.stop()


__all__ = ["BotWorld", "SmsUser", "TelegramUser", "world", "world_settings"]
