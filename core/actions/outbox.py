"""Queueing outbound messages (staff replies, bot replies, notifications) in the outbox (INB-5).

Only queueing lives here: the row is written in the same transaction as whatever caused it,
and the dispatcher claims and sends it later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from core import attachments as store
from core.access import check_conversation
from core.actions.audit import record
from core.actions.recipients import email_headers, recipient_for
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.identities import normalize_identity
from core.models import (
    Attachment,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    IdentityKind,
    Message,
    MessageStatus,
    OutboundMessage,
    OutboxStatus,
    User,
)
from core.outbound_channels import can_send, not_configured
from core.text import normalize_search
from core.tx import Outcome, atomic

FileInput = tuple[str, str, bytes]


def _store(files: Sequence[FileInput]) -> list[dict[str, Any]]:
    return [
        {"sha256": store.store_bytes(None, data), "name": name[:255], "mime_type": mime[:120], "size": len(data)}
        for name, mime, data in files
    ]


async def _locked(conversation_id: int) -> Conversation:
    conversation = await Conversation.filter(id=conversation_id).select_for_update().first()
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


async def _attach(message: Message, files: list[dict[str, Any]]) -> None:
    for f in files:
        await Attachment.create(message=message, **f)


async def _queue(
    conversation: Conversation, text: str, *, by: User | None, kind: str, files: list[dict[str, Any]], extra: dict
) -> tuple[Message, OutboundMessage]:
    """Write the outbound Message and its OutboundMessage row (inside the caller's transaction)."""
    contact = await Contact.get(id=conversation.contact_id)
    recipient = await recipient_for(conversation, contact)
    payload: dict[str, Any] = {"text": text, **extra}
    headers = await email_headers(conversation) if conversation.channel == Channel.EMAIL else {}
    payload.update(headers)
    # No sender for the channel here: written failed with the reason, never left queued forever.
    failed = None if can_send(conversation.channel) else not_configured(conversation.channel)
    message = await Message.create(
        conversation=conversation,
        direction=Direction.OUT,
        channel=conversation.channel,
        text=text,
        text_search=normalize_search(f"{headers.get('subject', '')}\n{text}"),
        subject=headers.get("subject", ""),
        status=MessageStatus.FAILED if failed else MessageStatus.QUEUED,
        error=failed,
        author=by,
        email_message_id=headers.get("message_id"),
        in_reply_to=headers.get("in_reply_to"),
        meta={"kind": kind, **({"keyboard": extra["keyboard"]} if extra.get("keyboard") else {})},
    )
    await _attach(message, files)
    if files:
        payload["attachments"] = files
    outbound = await OutboundMessage.create(
        message=message,
        channel=conversation.channel,
        recipient=recipient,
        kind=kind,
        payload=payload,
        status=OutboxStatus.FAILED if failed else OutboxStatus.QUEUED,
        error=failed,
    )
    conversation.last_activity_at = datetime.now(UTC)
    await conversation.save(update_fields=["last_activity_at"])
    return message, outbound


def _emit_queued(out: Outcome, message: Message | None, outbound: OutboundMessage) -> None:
    if outbound.status == OutboxStatus.FAILED:  # its channel cannot send: nothing was queued
        if message is not None:
            out.emit("message.status", message_id=message.id, status=str(MessageStatus.FAILED))
        out.emit("outbox.failed", out_id=outbound.id, channel=outbound.channel.value, reason=outbound.error)
        return
    if message is not None:
        out.emit(
            "message.queued",
            message_id=message.id,
            conversation_id=message.conversation_id,
            outbound_id=outbound.id,
        )
    out.emit("outbox.queued", outbound_id=outbound.id, channel=outbound.channel.value, kind=outbound.kind)


async def send_reply(
    conversation_id: int,
    text: str,
    *,
    by: User | None,
    internal: bool = False,
    attachments: Sequence[FileInput] = (),
) -> Message:
    """A staff reply on the conversation's own channel (queued), or an internal note that never leaves.

    On a channel that cannot send here the reply is kept, failed with «کانال پیکربندی نشده» and the reason.
    """
    require_write(by, Area.INBOX)
    body = (text or "").strip()
    if not body and not attachments:
        raise ValidationError("text: a reply cannot be empty")
    files = await asyncio.to_thread(_store, attachments)
    async with atomic() as out:
        conversation = await _locked(conversation_id)
        await check_conversation(by, conversation.id)
        if internal:
            note = await Message.create(
                conversation=conversation,
                direction=Direction.OUT,
                channel=conversation.channel,
                text=body,
                text_search=normalize_search(body),
                status=MessageStatus.NOTE,
                author=by,
                internal=True,
            )
            await _attach(note, files)
            await record(by, "message.note", note, conversation_id=conversation.id)
            out.emit("note.added", message_id=note.id, conversation_id=conversation.id)
            return note
        message, outbound = await _queue(conversation, body, by=by, kind="reply", files=files, extra={})
        changed = []
        if conversation.first_response_at is None and message.status != MessageStatus.FAILED:
            conversation.first_response_at = message.created_at
            changed.append("first_response_at")
        if by is not None and conversation.status == ConversationStatus.BOT:
            # A person answered: the bot steps back (INB-4).
            conversation.status = ConversationStatus.OPEN
            changed.append("status")
            out.emit("conversation.status_changed", conversation_id=conversation.id, old="bot", new="open")
        if changed:
            await conversation.save(update_fields=changed)
        await record(by, "message.send", message, conversation_id=conversation.id, outbound_id=outbound.id)
        _emit_queued(out, message, outbound)
    return message


async def queue_bot_reply(conversation_id: int, text: str, *, keyboard: dict | None = None) -> Message:
    """A bot reply on the conversation's channel; stored failed where the contact or the channel cannot be reached."""
    body = (text or "").strip()
    if not body:
        raise ValidationError("text: a bot reply cannot be empty")
    async with atomic() as out:
        conversation = await _locked(conversation_id)
        extra = {"keyboard": keyboard} if keyboard else {}
        try:
            message, outbound = await _queue(conversation, body, by=None, kind="bot", files=[], extra=extra)
        except ValidationError as exc:
            # The dialog engine must not crash on a blocked user; staff see the failed reply and why.
            return await Message.create(
                conversation=conversation,
                direction=Direction.OUT,
                channel=conversation.channel,
                text=body,
                text_search=normalize_search(body),
                status=MessageStatus.FAILED,
                error=str(exc),
                meta={"kind": "bot"},
            )
        _emit_queued(out, message, outbound)
    return message


async def queue_notification(
    channel: Channel,
    recipient: str,
    text: str,
    *,
    kind: str = "notification",
    dedupe_key: str | None = None,
    payload: dict | None = None,
) -> OutboundMessage | None:
    """Queue a message to anyone (alarm, reminder, OTP); None when `dedupe_key` was already queued.

    On a channel that cannot send here the row is written failed with the reason (core.outbound_channels).
    """
    channel = Channel(channel)
    body = (text or "").strip()
    if not body:
        raise ValidationError("text: a notification cannot be empty")
    kinds = {Channel.SMS: IdentityKind.PHONE, Channel.EMAIL: IdentityKind.EMAIL, Channel.FAX: IdentityKind.FAX}
    to = normalize_identity(kinds[channel], recipient) if channel in kinds else (recipient or "").strip()
    if not to:
        raise ValidationError("recipient: empty")
    if dedupe_key and await OutboundMessage.exists(dedupe_key=dedupe_key):
        return None
    failed = None if can_send(channel) else not_configured(channel)
    try:
        async with atomic() as out:
            outbound = await OutboundMessage.create(
                channel=channel,
                recipient=to[:255],
                kind=kind[:20],
                payload={"text": body, **(payload or {})},
                dedupe_key=dedupe_key,
                status=OutboxStatus.FAILED if failed else OutboxStatus.QUEUED,
                error=failed,
            )
            _emit_queued(out, None, outbound)
    except IntegrityError:
        if dedupe_key and await OutboundMessage.exists(dedupe_key=dedupe_key):
            return None  # a concurrent caller queued it first
        raise
    return outbound
