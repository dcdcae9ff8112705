"""Sending outbox rows through the Bot API (Telegram, or Bale with its own token and URL)."""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from channels.base import Delivery, HoldQueue, PermanentSendError, TransientSendError
from channels.flood import FloodGate
from channels.telegram_format import CAPTION_LIMIT, reply_markup, split_text, utf16_len
from core import attachments
from core.actions.telegram import is_unreachable, set_reachable
from core.config import Settings
from core.models import Channel, OutboundMessage

log = logging.getLogger(__name__)
# Opt in to PTB 22's documented future behaviour (time periods as timedelta): otherwise PTB itself
# warns on every RetryAfter it builds, deep inside its request code.
os.environ.setdefault("PTB_TIMEDELTA", "true")

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # larger images go as documents (sendPhoto limit)
# Parts after the first of a split message wait out short flood limits here rather than failing
# the row, because a retry of the row would send the earlier parts a second time.
MAX_PART_WAIT = 30.0
_GONE_MARKERS = ("blocked by the user", "user is deactivated", "bot was kicked")


def file_url(api_url: str) -> str:
    """The file download base for a Bot API base: `…/bot` → `…/file/bot`."""
    head, sep, tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else api_url + "/file"


def make_bot(token: str, api_url: str, *, connect: float = 5.0, read: float = 20.0, write: float = 20.0) -> Bot:
    """A PTB Bot on `api_url` with its own connection pool and timeouts."""
    request = HTTPXRequest(
        connection_pool_size=8,
        connect_timeout=connect,
        read_timeout=read,
        write_timeout=write,
        pool_timeout=5.0,
        media_write_timeout=max(write, 20.0),
    )
    return Bot(token, base_url=api_url, base_file_url=file_url(api_url), request=request)


def retry_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 is moving it from int to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(payload: Any) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    data = reply_markup(payload)
    if data is None:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    return ReplyKeyboardRemove()


class TelegramSender:
    """The Sender of one Bot API channel (`telegram` or `bale`)."""

    def __init__(
        self, channel: Channel, token: str, api_url: str, *, read_timeout: float = 20.0, max_rate: float = 30.0
    ) -> None:
        self.channel = channel
        self.bot = make_bot(token, api_url, read=read_timeout)
        self.flood = FloodGate(max_rate)
        self._ready = False

    async def close(self) -> None:
        """Close the HTTP connections (at shutdown)."""
        if self._ready:
            await self.bot.shutdown()
            self._ready = False

    async def send(self, out: OutboundMessage) -> Delivery:
        """Send one outbox row; raises Transient/PermanentSendError or HoldQueue on failure."""
        chat_id = str(out.recipient)
        if await is_unreachable(self.channel, chat_id):
            raise PermanentSendError(f"blocked: the contact blocked the bot on {self.channel.value}; not sent")
        if (pause := self.flood.paused_for()) > 0:  # sending during a 429 window only extends it
            raise TransientSendError(f"{self.channel.value}: flood limit, paused", retry_after=pause)
        try:
            if not self._ready:
                await self.bot.initialize()
                self._ready = True
            sent = await self._send_all(chat_id, out.payload or {})
        except TelegramError as exc:
            raise await self._classify(exc, chat_id) from exc
        # Same form as inbound external ids, so a reply or button press on it finds this message.
        return Delivery(provider_id=f"{chat_id}:{sent[0].message_id}", parts=len(sent))

    async def _send_all(self, chat_id: str, payload: dict[str, Any]) -> list[Message]:
        text = str(payload.get("text") or "")
        markup = _markup(payload.get("keyboard"))
        files = [f for f in payload.get("attachments") or [] if isinstance(f, dict) and f.get("sha256")]
        calls: list[Callable[[], Awaitable[Message]]] = []
        caption = text if files and utf16_len(text) <= CAPTION_LIMIT else ""
        parts = [] if caption or not text else split_text(text)
        for index, spec in enumerate(files):
            last = index == len(files) - 1 and not parts
            upload = await self._upload(spec)
            calls.append(
                self._file_call(chat_id, upload, spec, caption if index == 0 else "", markup if last else None)
            )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            calls.append(self._text_call(chat_id, part, markup if last else None))
        if not calls:
            raise PermanentSendError("nothing to send: the message has no text and no attachment")
        await self.flood.wait_turn(chat_id)
        sent = [await calls[0]()]
        for call in calls[1:]:
            await self.flood.wait_turn(chat_id)
            sent.append(await self._later_part(call))
        return sent

    def _text_call(self, chat_id: str, text: str, markup: Any) -> Callable[[], Awaitable[Message]]:
        return lambda: self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)

    @staticmethod
    async def _upload(spec: dict[str, Any]) -> InputFile:
        try:
            data = await asyncio.to_thread(attachments.read_bytes, str(spec["sha256"]))
        except (FileNotFoundError, ValueError) as exc:
            raise PermanentSendError(f"attachment {spec.get('name', '')!r} is missing from the file store") from exc
        return InputFile(data, filename=str(spec.get("name") or "file"))

    def _file_call(
        self, chat_id: str, upload: InputFile, spec: dict[str, Any], caption: str, markup: Any
    ) -> Callable[[], Awaitable[Message]]:
        mime = str(spec.get("mime_type") or "application/octet-stream")
        content = upload.input_file_content
        size = len(content) if isinstance(content, bytes) else int(spec.get("size") or 0)
        if mime in PHOTO_TYPES and size <= PHOTO_MAX_BYTES:
            return lambda: self.bot.send_photo(
                chat_id=chat_id, photo=upload, caption=caption or None, reply_markup=markup
            )
        return lambda: self.bot.send_document(
            chat_id=chat_id, document=upload, caption=caption or None, reply_markup=markup
        )

    async def _later_part(self, call: Callable[[], Awaitable[Message]]) -> Message:
        """Send a part after the first, waiting out short flood limits and one network blip."""
        for attempt in range(3):
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                if wait > MAX_PART_WAIT or attempt == 2:
                    raise
                await asyncio.sleep(wait)
            except TelegramError as exc:
                if isinstance(exc, (BadRequest, Forbidden, InvalidToken)) or attempt == 2:
                    raise
                await asyncio.sleep(1.0)
        raise AssertionError("unreachable")

    async def _classify(self, exc: TelegramError, chat_id: str) -> Exception:
        """Map a PTB error to the dispatcher's vocabulary (and remember blocks)."""
        reason = f"{self.channel.value}: {exc.message}"
        if isinstance(exc, RetryAfter):
            self.flood.cool_down(retry_seconds(exc))
            return TransientSendError(f"{self.channel.value}: flood limit", retry_after=retry_seconds(exc))
        if isinstance(exc, Forbidden):
            if any(marker in exc.message.lower() for marker in _GONE_MARKERS):
                await set_reachable(self.channel, chat_id, False, reason=exc.message)
                return PermanentSendError(f"blocked: {reason}")
            return PermanentSendError(reason)
        if isinstance(exc, InvalidToken):
            return HoldQueue(f"{self.channel.value}: the bot token was rejected; check the token setting")
        if isinstance(exc, (BadRequest, ChatMigrated)):
            return PermanentSendError(reason)
        return TransientSendError(reason)


def telegram_senders(settings: Settings) -> dict[Channel, TelegramSender]:
    """The senders of the Bot API channels that have a token configured."""
    senders: dict[Channel, TelegramSender] = {}
    if settings.telegram_token:
        senders[Channel.TELEGRAM] = TelegramSender(
            Channel.TELEGRAM, settings.telegram_token, settings.telegram_api_url, max_rate=settings.telegram_max_rate
        )
    if settings.bale_token:
        senders[Channel.BALE] = TelegramSender(
            Channel.BALE, settings.bale_token, settings.bale_api_url, max_rate=settings.telegram_max_rate
        )
    return senders
