"""Sending outbox rows through the Bot API (Telegram, or Bale with its own token and URL)."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from channels.base import Delivery, HoldQueue, PermanentSendError, TransientSendError
from channels.botapi import BotApiClient, BotApiError, BotApiUnreachable, Upload
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


class TelegramSender:
    """The Sender of one Bot API channel (`telegram` or `bale`), over channels.botapi's pooled client."""

    def __init__(
        self, channel: Channel, token: str, api_url: str, *, read_timeout: float = 20.0, max_rate: float = 30.0
    ) -> None:
        self.channel = channel
        self.api = BotApiClient(token, api_url, read_timeout=read_timeout)
        self.flood = FloodGate(max_rate)

    async def close(self) -> None:
        """Close the HTTP connections (at shutdown)."""
        await self.api.close()

    async def send(self, out: OutboundMessage) -> Delivery:
        """Send one outbox row; raises Transient/PermanentSendError or HoldQueue on failure."""
        chat_id = str(out.recipient)
        if await is_unreachable(self.channel, chat_id):
            raise PermanentSendError(f"blocked: the contact blocked the bot on {self.channel.value}; not sent")
        if (pause := self.flood.paused_for()) > 0:  # sending during a 429 window only extends it
            raise TransientSendError(f"{self.channel.value}: flood limit, paused", retry_after=pause)
        try:
            sent = await self._send_all(chat_id, out.payload or {})
        except BotApiError as exc:
            raise await self._classify(exc, chat_id) from exc
        except BotApiUnreachable as exc:
            raise TransientSendError(f"{self.channel.value}: {exc}") from exc
        # Same form as inbound external ids, so a reply or button press on it finds this message.
        return Delivery(provider_id=f"{chat_id}:{sent[0]['message_id']}", parts=len(sent))

    async def _send_all(self, chat_id: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
        text = str(payload.get("text") or "")
        markup = reply_markup(payload.get("keyboard"))
        files = [f for f in payload.get("attachments") or [] if isinstance(f, dict) and f.get("sha256")]
        calls: list[Call] = []
        caption = text if files and utf16_len(text) <= CAPTION_LIMIT else ""
        parts = [] if caption or not text else split_text(text)
        for index, spec in enumerate(files):
            last = index == len(files) - 1 and not parts
            calls.append(await self._file_call(chat_id, spec, caption if index == 0 else "", markup if last else None))
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            calls.append(
                ("sendMessage", {"chat_id": chat_id, "text": part, "reply_markup": markup if last else None}, None)
            )
        if not calls:
            raise PermanentSendError("nothing to send: the message has no text and no attachment")
        await self.flood.wait_turn(chat_id)
        sent = [_message(await self.api.call(*calls[0]))]
        for call in calls[1:]:
            await self.flood.wait_turn(chat_id)
            sent.append(_message(await self._later_part(call)))
        return sent

    @staticmethod
    async def _file_call(chat_id: str, spec: dict[str, Any], caption: str, markup: Any) -> Call:
        try:
            data = await asyncio.to_thread(attachments.read_bytes, str(spec["sha256"]))
        except (FileNotFoundError, ValueError) as exc:
            raise PermanentSendError(f"attachment {spec.get('name', '')!r} is missing from the file store") from exc
        mime = str(spec.get("mime_type") or "application/octet-stream")
        field = "photo" if mime in PHOTO_TYPES and len(data) <= PHOTO_MAX_BYTES else "document"
        method = "sendPhoto" if field == "photo" else "sendDocument"
        upload = Upload(field, str(spec.get("name") or "file"), data, mime)
        return method, {"chat_id": chat_id, "caption": caption or None, "reply_markup": markup}, upload

    async def _later_part(self, call: Call) -> Any:
        """Send a part after the first, waiting out short flood limits and one network blip."""
        for attempt in range(3):
            try:
                return await self.api.call(*call)
            except BotApiError as exc:
                wait = exc.retry_after if exc.code == 429 else None
                if wait is None or wait > MAX_PART_WAIT or attempt == 2:
                    raise
                await asyncio.sleep(wait)
            except BotApiUnreachable:
                if attempt == 2:
                    raise
                await asyncio.sleep(1.0)
        raise AssertionError("unreachable")

    async def _classify(self, exc: BotApiError, chat_id: str) -> Exception:
        """Map a Bot API error to the dispatcher's vocabulary (and remember blocks)."""
        reason = f"{self.channel.value}: {exc.description}"
        if exc.code == 429:
            wait = exc.retry_after if exc.retry_after is not None else 1.0
            self.flood.cool_down(wait)
            return TransientSendError(f"{self.channel.value}: flood limit", retry_after=wait)
        if exc.code == 403:
            if any(marker in exc.description.lower() for marker in _GONE_MARKERS):
                await set_reachable(self.channel, chat_id, False, reason=exc.description)
                return PermanentSendError(f"blocked: {reason}")
            return PermanentSendError(reason)
        if exc.code in (401, 404):  # what the API answers to a wrong token
            return HoldQueue(f"{self.channel.value}: the bot token was rejected; check the token setting")
        if 400 <= exc.code < 500:  # bad request, chat migrated or not found: resending will not help
            return PermanentSendError(reason)
        return TransientSendError(reason)


# One API call: method, parameters, and the file it uploads (if any).
Call = tuple[str, dict[str, Any], Upload | None]


def _message(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or "message_id" not in result:
        raise BotApiError(502, "the Bot API accepted the message but returned no message_id")
    return result


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
