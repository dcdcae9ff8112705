"""Which conversation an inbound message belongs to: continue, reopen or open one (INB-3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.inbound import InboundMessage
from core.models import Case, Channel, Contact, Conversation, ConversationStatus
from core.phones import try_normalize_phone
from core.threading import (
    conversation_by_case_tag,
    conversation_by_our_ids,
    conversation_by_reply_keys,
    conversation_id_from_tag,
    normalize_message_id,
    reply_keys,
)

BOT_CHANNELS = (Channel.TELEGRAM, Channel.BALE, Channel.SMS)
PHONE_CHANNELS = (Channel.SMS, Channel.FAX, Channel.CALL)


def thread_key_of(msg: InboundMessage) -> str:
    """The key a chat-like thread runs on: the channel's thread key (phones in E.164), else the sender."""
    key = (msg.thread_key or msg.identity_value or "").strip()
    if msg.channel in PHONE_CHANNELS:
        key = try_normalize_phone(key) or key
    elif msg.channel == Channel.EMAIL:
        key = key.lower()
    return key[:255]


def new_status(channel: Channel) -> ConversationStatus:
    """Where a new or reopened conversation starts: with the bot on bot channels, with people elsewhere."""
    return ConversationStatus.BOT if channel in BOT_CHANNELS else ConversationStatus.OPEN


async def _email_match(msg: InboundMessage, contact: Contact) -> tuple[Conversation | None, Case | None]:
    keys = reply_keys(msg.in_reply_to, msg.references)
    # A stored Message-ID is unguessable, so anyone on the thread (a colleague on Cc) continues it.
    conversation = await conversation_by_reply_keys(keys)
    if conversation is not None:
        return conversation, None
    # The other keys can be typed by anyone (c123, [#1405-00042]); they only thread the contact's own mail.
    conversation = await conversation_by_our_ids(keys)
    if conversation is not None and conversation.contact_id == contact.id:
        return conversation, None
    tagged = conversation_id_from_tag(msg.thread_tag)
    if tagged is not None:
        conversation = await Conversation.get_or_none(id=tagged, contact_id=contact.id)
        if conversation is not None:
            return conversation, None
    case, conversation = await conversation_by_case_tag(msg.subject)
    if case is None or case.contact_id != contact.id:
        return None, None
    return conversation, case


async def _chat_match(msg: InboundMessage) -> Conversation | None:
    # Found and row-locked (PostgreSQL) in one query.
    return (
        await Conversation.filter(channel=Channel(msg.channel), thread_key=thread_key_of(msg))
        .exclude(status=ConversationStatus.CLOSED)
        .order_by("-id")
        .select_for_update()
        .first()
    )


async def open_thread(
    msg: InboundMessage, contact: Contact, *, now: datetime, reopen_window: timedelta
) -> tuple[Conversation, str]:
    """Inside the ingest transaction: the conversation for `msg` and how (continued/reopened/new/stored)."""
    case = None
    if msg.channel == Channel.EMAIL:
        found, case = await _email_match(msg, contact)
        if found is not None:
            # Row lock (PostgreSQL): messages of one conversation are taken one at a time, in order.
            found = await Conversation.filter(id=found.id).select_for_update().get()
    else:
        found = await _chat_match(msg)
    if found is not None:
        conversation = found
        if msg.automated:
            return conversation, "stored"  # auto-replies and bounces never reopen or change status
        if conversation.status in (ConversationStatus.BOT, ConversationStatus.OPEN):
            return conversation, "continued"
        if conversation.status == ConversationStatus.PENDING:
            # Pending means waiting for the customer, who has now answered.
            conversation.status = ConversationStatus.OPEN
            await conversation.save(update_fields=["status"])
            return conversation, "continued"
        since = conversation.resolved_at or conversation.last_activity_at
        if conversation.status == ConversationStatus.RESOLVED and now - since <= reopen_window:
            conversation.status = new_status(conversation.channel)
            conversation.resolved_at = None
            await conversation.save(update_fields=["status", "resolved_at"])
            return conversation, "reopened"
    return await _open_new(msg, contact, now, case), "new"


async def _open_new(msg: InboundMessage, contact: Contact, now: datetime, case: Case | None) -> Conversation:
    root = None
    if msg.channel == Channel.EMAIL:
        refs = [r for r in (normalize_message_id(x) for x in msg.references) if r]
        root = refs[0] if refs else normalize_message_id(msg.email_message_id)
    automated = msg.automated
    conversation = await Conversation.create(
        channel=Channel(msg.channel),
        contact=contact,
        # An auto-reply with nothing to thread to is kept, but out of everyone's queue.
        status=ConversationStatus.RESOLVED if automated else new_status(Channel(msg.channel)),
        resolved_at=now if automated else None,
        subject=(msg.subject or "").strip()[:300],
        thread_key=thread_key_of(msg),
        email_root_id=root,
        last_activity_at=now,
    )
    if case is not None and case.conversation_id is None:
        # Mail about a case opened elsewhere (a phone call): the case now has this thread.
        case.conversation = conversation
        await case.save(update_fields=["conversation_id", "updated_at"])
    return conversation
