"""Telegram/Bale bookkeeping: who blocked the bot, which updates were already taken."""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError

from core.models import Channel, Contact, ContactIdentity, IdentityKind, InboundReceipt, Message
from core.tx import atomic

log = logging.getLogger(__name__)


def _kind(channel: Channel) -> IdentityKind:
    return IdentityKind.BALE if channel == Channel.BALE else IdentityKind.TELEGRAM


async def contact_for_user(channel: Channel, user_id: str) -> Contact | None:
    """The contact behind a Telegram/Bale user id (private chat id), or None if we never met them."""
    identity = await ContactIdentity.get_or_none(kind=_kind(channel), value=str(user_id)).prefetch_related("contact")
    return identity.contact if identity else None


async def set_reachable(channel: Channel, user_id: str, reachable: bool, reason: str = "") -> Contact | None:
    """Mark the contact (un)reachable on `channel`: blocked the bot, or came back. None if unknown."""
    async with atomic() as out:
        identity = await ContactIdentity.get_or_none(kind=_kind(channel), value=str(user_id))
        if identity is None:
            return None
        contact = await Contact.select_for_update().get(id=identity.contact_id)  # type: ignore[attr-defined]
        channels = [c for c in contact.unreachable if c != channel.value]
        if not reachable:
            channels.append(channel.value)
        if sorted(channels) == sorted(contact.unreachable):
            return contact
        contact.unreachable = channels
        await contact.save(update_fields=["unreachable", "updated_at"])
        out.emit(
            "contact.reachability",
            contact_id=contact.id,
            channel=channel.value,
            reachable=reachable,
            reason=reason,
        )
    log.info("contact %s is %s on %s (%s)", contact.id, "reachable" if reachable else "unreachable", channel, reason)
    return contact


async def is_unreachable(channel: Channel, user_id: str) -> bool:
    """True when the contact behind this user id blocked us on `channel`."""
    contact = await contact_for_user(channel, user_id)
    return contact is not None and channel.value in contact.unreachable


async def update_seen(channel: Channel, update_id: int) -> bool:
    """True when this update id was already taken on this channel."""
    return await InboundReceipt.exists(channel=channel.value, key=str(update_id))


async def record_update(channel: Channel, update_id: int) -> bool:
    """Remember that an update was taken; False when it already was (a concurrent duplicate)."""
    try:
        async with atomic():
            await InboundReceipt.create(channel=channel.value, key=str(update_id))
    except IntegrityError:
        return False
    return True


async def conversation_of_message(channel: Channel, external_id: str) -> int | None:
    """The conversation id of a stored inbound message, for the bot layer's replies."""
    message = await Message.filter(channel=channel, external_id=external_id).only("id", "conversation_id").first()
    return message.conversation_id if message else None  # type: ignore[attr-defined]
