"""The front door of one Bot API channel: one raw Update in, stored (or deliberately not) before any ack.

The webhook route and the getUpdates loop both call `UpdateDoor.take`; only after it returns may
the provider be told "received". A newly stored message is committed together with its update
receipt and (when a dialog engine answers this channel) a pending-step mark; the turn is then offered
to the stepper, which takes the step after the provider has its answer, still in the chat's arrival
order. Files are stored by reference (their file_id) with the message and fetched after the ack by
the channel's FileFetcher (bots.file_fetch), outside the chat's lock. Button presses are also fed to
the PTB Application's handlers (the spinner).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bots.app import ENGINE_KEY
from channels.base import InboundMessage, InvalidInbound
from channels.telegram import EditedMessage, IgnoredUpdate, MemberStatus, ParsedUpdate, parse_inbound
from core.actions.inbox import IngestResult, ingest_message, record_edit
from core.actions.telegram import record_update, set_reachable, update_digest, update_seen
from core.models import Channel
from handlers.engine import Engine
from handlers.stepper import StepOwed, Stepper, stepper
from handlers.turn import Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TakeResult:
    """What became of one update: stored / duplicate / updated / ignored / invalid / failed."""

    status: str
    stored: bool = False
    reason: str = ""
    # A new message for the dialog engine (not part of the result's identity).
    turn: Turn | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the provider may be told the update was received."""
        return self.status != "invalid" and (self.status != "failed" or self.stored)


class UpdateDoor:
    """Takes raw updates of one channel: dedupe, parse, store (files by reference), then hand to the bot."""

    def __init__(
        self,
        channel: Channel,
        bot: Bot,
        application: Application | None = None,
        engine: Engine | None = None,
        steps: Stepper = stepper,
    ) -> None:
        self.channel = channel
        self.bot = bot
        self.application = application
        # The engine the bot's Application was built with, unless one is given.
        self.engine = engine or (application.bot_data.get(ENGINE_KEY) if application else None)
        self.steps = steps
        # Told when a stored message has files to fetch (the runtime's FileFetcher.kick).
        self.files_waiting: Callable[[], None] | None = None
        # Dropped once no update of the chat is in flight.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def take(self, raw: Mapping[str, Any]) -> TakeResult:
        """Store what this update means; returns only after the commit (or with why not)."""
        try:
            parsed = parse_inbound(raw, self.channel)
        except InvalidInbound as exc:
            log.warning("%s update rejected: %s", self.channel, exc)
            return TakeResult("invalid", reason=str(exc))
        receipt = Receipt(int(raw["update_id"]), update_digest(raw))
        # One chat's updates are stored and handed to the bot in arrival order, even when
        # Telegram delivers them on parallel webhook connections.
        async with self._chat_lock(_chat_key(parsed)):
            return await self._store(raw, receipt, parsed)

    async def _store(self, raw: Mapping[str, Any], receipt: Receipt, parsed: ParsedUpdate) -> TakeResult:
        stored = False
        update_id = receipt.update_id
        try:
            # A plain message is deduped by the ingest itself (channel + external id, under the sender's
            # lock); the receipt table is read first only where a repeat would cost: files to fetch
            # again, edits and member changes that must not be applied twice. A receipt counts only
            # for the same payload: Telegram reuses update ids.
            needs_receipt = not isinstance(parsed, InboundMessage) or bool(parsed.attachments)
            if needs_receipt and await update_seen(self.channel, update_id, receipt.digest):
                return TakeResult("duplicate")
            result = await self._apply(parsed, receipt)
            stored = result.stored
            if result.status != "stored":  # a new message committed its receipt with it
                await record_update(self.channel, update_id, receipt.digest)
        except Exception as exc:
            log.exception("%s update %s failed (stored: %s)", self.channel, update_id, stored)
            return TakeResult("failed", stored=stored, reason=type(exc).__name__)
        if result.status == "stored":
            if self.engine is not None and result.turn is not None:
                self.steps.submit(result.turn, self.engine)  # runs after the ack; the mark survives a crash
            if "callback_query" in raw:
                self._hand_off(raw)
            if isinstance(parsed, InboundMessage) and parsed.attachments and self.files_waiting is not None:
                self.files_waiting()
        return result

    def _chat_lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def _apply(self, parsed: ParsedUpdate, receipt: Receipt) -> TakeResult:
        if isinstance(parsed, IgnoredUpdate):
            log.info("%s update ignored: %s", self.channel, parsed.reason)
            return TakeResult("ignored", reason=parsed.reason)
        if isinstance(parsed, MemberStatus):
            contact = await set_reachable(self.channel, parsed.user_id, parsed.reachable, reason=parsed.status)
            return TakeResult("updated", stored=contact is not None, reason=parsed.status)
        if isinstance(parsed, EditedMessage):
            edited = await record_edit(self.channel, parsed.external_id, parsed.text)
            return TakeResult("updated", stored=bool(edited), reason="edit")
        message = parsed
        owed = StepOwed(message) if self.engine is not None else None

        async def also(stored: IngestResult) -> None:  # in the message's transaction: its receipt, its step
            await record_update(self.channel, receipt.update_id, receipt.digest)
            if owed is not None:
                await owed(stored)

        ingested = await ingest_message(message, then=also)
        turn = owed.turn if owed is not None else None
        return TakeResult("stored" if ingested.created else "duplicate", stored=ingested.created, turn=turn)

    def _hand_off(self, raw: Mapping[str, Any]) -> None:
        """Give a stored update to the bot's handlers (they run after the provider got its answer)."""
        if self.application is None:
            return
        try:
            update = Update.de_json(dict(raw), self.application.bot)
        except Exception:
            log.exception("%s update %s could not be read by the bot layer", self.channel, raw.get("update_id"))
            return
        self.application.update_queue.put_nowait(update)


@dataclass(frozen=True)
class Receipt:
    """An update's id and payload digest: the same id with another payload is a new update."""

    update_id: int
    digest: str


def _chat_key(parsed: ParsedUpdate) -> str:
    if isinstance(parsed, InboundMessage):
        return parsed.thread_key
    if isinstance(parsed, EditedMessage):
        return parsed.external_id.partition(":")[0]
    if isinstance(parsed, MemberStatus):
        return parsed.user_id
    return ""
