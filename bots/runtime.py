"""Starting and stopping the Telegram and Bale bots: webhook mode with a public URL, long polling without."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import MutableMapping

from telegram.ext import Application

from bots.app import build_application
from bots.door import UpdateDoor
from bots.file_fetch import FileFetcher
from bots.polling import Poller
from bots.staff import StaffCommands
from channels.telegram import ALLOWED_UPDATES
from core.config import Settings
from core.models import Channel
from handlers.engine import engine_for

log = logging.getLogger(__name__)

HOOK_PATHS = {Channel.TELEGRAM: "/hooks/telegram", Channel.BALE: "/hooks/bale"}


def bot_channels(settings: Settings) -> dict[Channel, tuple[str, str]]:
    """The Bot API channels with a token: channel → (token, API base URL)."""
    found: dict[Channel, tuple[str, str]] = {}
    if settings.telegram_token:
        found[Channel.TELEGRAM] = (settings.telegram_token, settings.telegram_api_url)
    if settings.bale_token:
        found[Channel.BALE] = (settings.bale_token, settings.bale_api_url)
    return found


class BotRuntime:
    """The running bots; their doors are published in `doors` for the webhook routes."""

    def __init__(self, settings: Settings, doors: MutableMapping[Channel, UpdateDoor], *, retry_s: float = 10) -> None:
        self.settings = settings
        self.doors = doors
        self.retry_s = retry_s
        self.applications: dict[Channel, Application] = {}
        self.fetchers: dict[Channel, FileFetcher] = {}
        self.ready: dict[Channel, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def webhook_mode(self) -> bool:
        return bool(self.settings.public_url)

    async def start(self) -> None:
        """Open a door per configured bot at once; connect to the Bot API in the background.

        Bootstrap must not hang or fail when Telegram is unreachable: the door already stores
        webhook updates, and the connection is retried until it works.
        """
        for channel, (token, api_url) in bot_channels(self.settings).items():
            # StaffCommands: /link CODE (staff alarms) is answered before the customer flows see it.
            engine = StaffCommands(engine_for(self.settings))
            application = build_application(channel, token, api_url, engine)  # type: ignore[arg-type]
            self.applications[channel] = application
            door = UpdateDoor(channel, application.bot, application)
            fetcher = FileFetcher(channel, application.bot, data_dir=self.settings.data_dir)
            door.files_waiting = fetcher.kick
            self.fetchers[channel] = fetcher
            self.doors[channel] = door
            self.ready[channel] = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._run(channel, token, api_url), name=f"bot-{channel}"))
            self._tasks.append(asyncio.create_task(fetcher.run(), name=f"bot-{channel}-files"))

    async def wait_ready(self, timeout: float = 30) -> None:
        """Wait until every bot is connected (webhook set, or polling started)."""
        async with asyncio.timeout(timeout):
            for event in self.ready.values():
                await event.wait()

    async def _run(self, channel: Channel, token: str, api_url: str) -> None:
        application = self.applications[channel]
        while True:
            try:
                await self._connect(channel, application)
                break
            except Exception as exc:  # network, token, anything: keep trying, never crash the service
                log.warning("%s bot could not connect (%s); retrying in %ss", channel, exc, self.retry_s)
                await asyncio.sleep(self.retry_s)
        self.ready[channel].set()
        if not self.webhook_mode:
            await Poller(self.doors[channel], token, api_url).run()

    async def _connect(self, channel: Channel, application: Application) -> None:
        if not application.running:
            await application.initialize()
            await application.start()
        if self.webhook_mode:
            url = f"{self.settings.public_url}{HOOK_PATHS[channel]}"
            await application.bot.set_webhook(
                url=url,
                secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            log.info("%s webhook set to %s", channel, url)
        else:
            await application.bot.delete_webhook()
            log.info("%s bot polling for updates", channel)

    async def stop(self) -> None:
        """Stop polling and the bots' handlers; close their HTTP connections."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for channel, application in self.applications.items():
            self.doors.pop(channel, None)
            try:
                if application.running:
                    await application.stop()
                await application.shutdown()
            except Exception:
                log.exception("%s bot did not shut down cleanly", channel)
        self.applications.clear()
        self.fetchers.clear()


async def start_bots(settings: Settings, doors: MutableMapping[Channel, UpdateDoor]) -> BotRuntime:
    """Start every configured bot and return the runtime to stop at shutdown."""
    runtime = BotRuntime(settings, doors)
    await runtime.start()
    return runtime
