"""The bot runtime's file fetcher: downloads the files a door stored by reference, after the ack.

One per Bot API channel. The door kicks it when a message with files is stored; it also wakes when
the next retry is due and every `poll_s` (files left by another process or a crash). Downloads go
through the channel's Bot (getFile, then the file URL) a few at a time, never inside a chat's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from core.actions.file_fetch import FileClaim, claim_due, fetch_failed, next_due, store_fetched
from core.attachments import MAX_BYTES
from core.models import Channel
from core.text import to_persian_digits

log = logging.getLogger(__name__)

TOO_LARGE = (
    "فایل {size} مگابایت است و بیش از سقف {limit} مگابایت برای هر فایل؛ از مشتری بخواهید آن را از راه دیگری بفرستد"
)


class FileTooLarge(Exception):
    """The file can never be fetched: over our per-file limit (or the Bot API's own 20 MB)."""


class FileFetcher:
    """Claims due pending files of one channel and fetches them, `workers` at a time."""

    def __init__(
        self, channel: Channel, bot: Bot, *, data_dir: Path | str | None = None, workers: int = 4, poll_s: float = 30
    ) -> None:
        self.channel = channel
        self.bot = bot
        self.data_dir = data_dir
        self.workers = workers
        self.poll_s = poll_s
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """A message with files was just stored: look now."""
        self._wake.set()

    async def run(self) -> None:
        """Fetch until cancelled; a database hiccup is logged and retried, never fatal."""
        while True:
            try:
                claims = await claim_due(self.channel, limit=self.workers)
                if claims:
                    await asyncio.gather(*(self.fetch(c) for c in claims))
                    continue
                await self._sleep(await next_due(self.channel))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s file fetcher failed; retrying", self.channel)
                await self._sleep(None, at_most=1.0)

    async def _sleep(self, due: datetime | None, *, at_most: float | None = None) -> None:
        wait = self.poll_s if at_most is None else at_most
        if due is not None:
            wait = min(wait, max((due - datetime.now(UTC)).total_seconds(), 0.05))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wake.wait()
        self._wake.clear()

    async def fetch(self, claim: FileClaim) -> None:
        """One file: download and store it, or record why not (retried later unless hopeless)."""
        try:
            data = await self._download(claim.provider_file_id)
        except FileTooLarge as exc:
            log.warning("%s file %s refused: %s", self.channel, claim.provider_file_id, exc)
            await fetch_failed(claim, str(exc), channel=self.channel, permanent=True)
        except (TelegramError, OSError, TimeoutError, ValueError) as exc:
            log.warning(
                "%s file %s not fetched (attempt %s): %s", self.channel, claim.provider_file_id, claim.attempt, exc
            )
            await fetch_failed(claim, f"{type(exc).__name__}: {exc}", channel=self.channel)
        else:
            await store_fetched(claim, data, data_dir=self.data_dir)

    async def _download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileTooLarge(_too_large(None)) from exc
            raise
        if file.file_size and file.file_size > MAX_BYTES:
            raise FileTooLarge(_too_large(file.file_size))
        data = bytes(await file.download_as_bytearray())
        if len(data) > MAX_BYTES:
            raise FileTooLarge(_too_large(len(data)))
        return data


def _too_large(size: int | None) -> str:
    limit = to_persian_digits(str(MAX_BYTES // 1048576))
    shown = to_persian_digits(f"{size / 1048576:.1f}") if size else "بیش از " + limit
    return TOO_LARGE.format(size=shown, limit=limit)
