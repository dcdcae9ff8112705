"""Ingesting inbound messages: stored exactly once, on a contact and a conversation (INB-1..3)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError

from core import attachments as store
from core.actions.contacts import find_contact_by_identity, sender_contact
from core.actions.threads import open_thread
from core.errors import ValidationError
from core.inbound import InboundAttachment, InboundMessage
from core.models import (
    Attachment,
    Channel,
    Contact,
    Conversation,
    Direction,
    FileState,
    InboundReceipt,
    Message,
    MessageStatus,
)
from core.text import normalize_search
from core.threading import normalize_message_id
from core.tx import Outcome, atomic

log = logging.getLogger(__name__)
ATTEMPTS = 5


@dataclass
class IngestResult:
    """What ingest_message did: the stored message, where it went, and whether it is new."""

    message: Message
    conversation: Conversation
    contact: Contact
    created: bool


@dataclass(frozen=True)
class _File:
    source: InboundAttachment
    sha256: str | None
    error: str | None = None


# Runs inside the ingest transaction for a newly stored message (the dialog engine's pending-step mark).
AlsoInTransaction = Callable[["IngestResult"], Awaitable[None]]


async def ingest_message(
    msg: InboundMessage,
    *,
    reopen_window: timedelta = timedelta(days=7),
    data_dir: Path | str | None = None,
    receipt: tuple[str, str] | None = None,
    then: AlsoInTransaction | None = None,
) -> IngestResult:
    """Store one inbound message once (idempotent on channel + external id); events go out after commit.

    `receipt` (channel, key) is recorded as an InboundReceipt in the same transaction (a Telegram
    update_id), and `then` runs inside it for a new message, so the caller's own mark commits with
    the message or not at all.
    """
    external_id = (msg.external_id or "").strip()[:255] or None
    # A repeat is also caught inside the transaction; looking first only saves storing its files again.
    if external_id and msg.attachments and (dup := await _duplicate(msg, external_id)):
        return dup
    # Files are written before the transaction: content-addressed, so a rollback leaves only a harmless copy.
    files = await asyncio.to_thread(_store_files, msg.attachments, data_dir)
    for attempt in range(ATTEMPTS):
        try:
            async with atomic() as out:
                result = await _ingest(msg, external_id, files, reopen_window, out)
                if result.created:
                    if receipt is not None:
                        await InboundReceipt.create(channel=receipt[0], key=receipt[1][:200])
                    if then is not None:
                        await then(result)
                return result
        except IntegrityError:
            # A concurrent delivery stored the same message, or created the same sender's identity first.
            if external_id and (dup := await _duplicate(msg, external_id)):
                return dup
            if attempt == ATTEMPTS - 1:
                raise
            log.info("ingest of %s %s raced another writer; retrying", msg.channel, external_id)
    raise AssertionError("unreachable")


async def _duplicate(msg: InboundMessage, external_id: str) -> IngestResult | None:
    message = await Message.filter(channel=Channel(msg.channel), external_id=external_id).first()
    if message is None:
        return None
    conversation = await Conversation.get(id=message.conversation_id)
    contact = await find_contact_by_identity(msg.identity_kind, msg.identity_value)
    contact = contact or await Contact.get(id=conversation.contact_id)
    return IngestResult(message=message, conversation=conversation, contact=contact, created=False)


def _store_files(items: tuple[InboundAttachment, ...], data_dir: Path | str | None) -> list[_File]:
    files = []
    for item in items:
        if not item.data:
            files.append(_File(item, None))
            continue
        try:
            files.append(_File(item, store.store_bytes(data_dir, item.data)))
        except ValidationError as exc:
            # The message is kept without the file; staff see why in its meta.
            files.append(_File(item, None, str(exc)))
    return files


async def _ingest(
    msg: InboundMessage, external_id: str | None, files: list[_File], window: timedelta, out: Outcome
) -> IngestResult:
    contact, new_contact = await sender_contact(msg)
    if external_id and (dup := await Message.filter(channel=msg.channel, external_id=external_id).first()):
        # Re-checked under the contact's row lock: the concurrent twin committed while we waited.
        conversation = await Conversation.get(id=dup.conversation_id)
        return IngestResult(message=dup, conversation=conversation, contact=contact, created=False)
    now = datetime.now(UTC)
    conversation, how = await open_thread(msg, contact, now=now, reopen_window=window)
    message = await Message.create(
        conversation=conversation,
        direction=Direction.IN,
        channel=Channel(msg.channel),
        external_id=external_id,
        text=msg.text or "",
        text_search=normalize_search(f"{msg.subject}\n{msg.text}"),
        html=msg.html,
        subject=(msg.subject or "")[:500],
        status=MessageStatus.RECEIVED,
        email_message_id=normalize_message_id(msg.email_message_id),
        in_reply_to=normalize_message_id(msg.in_reply_to),
        meta=_meta(msg, contact, conversation, files),
    )
    for f in files:
        if f.sha256:
            await Attachment.create(
                message=message,
                sha256=f.sha256,
                name=f.source.name[:255],
                mime_type=(f.source.mime_type or "application/octet-stream")[:120],
                size=len(f.source.data),
                content_id=f.source.content_id,
            )
        elif f.error is None and f.source.provider_file_id:
            # Stored by reference: the bot runtime fetches the bytes after the ack (core.actions.file_fetch).
            await Attachment.create(
                message=message,
                sha256="",
                name=f.source.name[:255],
                mime_type=(f.source.mime_type or "application/octet-stream")[:120],
                content_id=f.source.content_id,
                state=FileState.PENDING,
                provider_file_id=f.source.provider_file_id[:255],
                fetch_after=now,
            )
    if not msg.automated:
        conversation.last_activity_at = conversation.last_inbound_at = now
        await conversation.save(update_fields=["last_activity_at", "last_inbound_at"])
    if new_contact:
        out.emit("contact.created", contact_id=contact.id)
    if how in ("new", "reopened"):
        name = "conversation.opened" if how == "new" else "conversation.reopened"
        out.emit(
            name,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            channel=Channel(msg.channel).value,
        )
    out.emit(
        "message.received",
        message_id=message.id,
        conversation_id=conversation.id,
        contact_id=contact.id,
        channel=Channel(msg.channel).value,
        status=conversation.status.value,
        thread=how,
        automated=msg.automated,
    )
    return IngestResult(message=message, conversation=conversation, contact=contact, created=True)


def _meta(msg: InboundMessage, contact: Contact, conversation: Conversation, files: list[_File]) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(json.dumps(dict(msg.meta), default=str, ensure_ascii=False))
    if msg.references:
        meta["references"] = [r for r in (normalize_message_id(x) for x in msg.references[:50]) if r]
    if msg.sent_at:
        meta["sent_at"] = msg.sent_at.isoformat()
    if msg.automated:
        meta["automated"] = True
    if msg.thread_tag:
        meta["thread_tag"] = msg.thread_tag
    if contact.id != conversation.contact_id:
        # Someone else in the thread (a colleague on Cc): say who, the conversation keeps its contact.
        meta["sender"] = {"contact_id": contact.id, "kind": str(msg.identity_kind), "value": msg.identity_value}
    rejected = [{"name": f.source.name, "reason": f.error} for f in files if f.error]
    if rejected:
        meta["rejected_files"] = rejected
    return meta


async def record_edit(channel: Channel, external_id: str, new_text: str) -> Message | None:
    """Apply a provider edit (Telegram edited_message): the old text moves to previous_texts."""
    async with atomic() as out:
        message = await Message.filter(channel=channel, external_id=external_id).select_for_update().first()
        if message is None or message.text == new_text:
            return message
        now = datetime.now(UTC)
        since = message.edited_at or message.created_at
        message.previous_texts = [*(message.previous_texts or []), {"text": message.text, "since": since.isoformat()}]
        message.text = new_text
        message.text_search = normalize_search(f"{message.subject}\n{new_text}")
        message.edited_at = now
        await message.save(update_fields=["previous_texts", "text", "text_search", "edited_at"])
        out.emit("message.edited", message_id=message.id, conversation_id=message.conversation_id)
    return message
