"""Telegram/Bale bookkeeping: who blocked the bot, which updates were already taken."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from core.models import Channel, Contact, ContactIdentity, IdentityKind, InboundReceipt
from core.tx import atomic

log = logging.getLogger(__name__)
# Telegram keeps an undelivered update for 24 hours; a receipt older than this can only meet a reused id.
REDELIVERY_HORIZON = timedelta(days=2)
RECEIPT_CHANNELS = (Channel.TELEGRAM.value, Channel.BALE.value)


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
        contact = await Contact.select_for_update().get(id=identity.contact_id)
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


def update_digest(raw: Mapping[str, Any]) -> str:
    """SHA-256 of an update's payload (canonical JSON), which tells a redelivery from a reused update_id."""
    body = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


async def update_seen(channel: Channel, update_id: int, digest: str = "") -> bool:
    """True when this update was already taken: the same id with the same payload, within the redelivery horizon.

    Telegram reuses update ids (they restart at random after a week without updates), so the same id
    with another payload, or older than Telegram ever redelivers, is a new update. A receipt written
    before digests were kept (empty) counts as the same payload.
    """
    since = datetime.now(UTC) - REDELIVERY_HORIZON
    receipt = await InboundReceipt.get_or_none(channel=channel.value, key=str(update_id))
    return receipt is not None and receipt.created_at >= since and receipt.digest in ("", digest)


async def record_update(channel: Channel, update_id: int, digest: str = "") -> bool:
    """Remember that an update was taken; False when it already was (a concurrent duplicate).

    A receipt of the same id with another payload (a reused id) is taken over by this update.
    Also usable inside the transaction that stores the update (a savepoint of its own).
    """
    key = str(update_id)
    try:
        async with atomic():
            await InboundReceipt.create(channel=channel.value, key=key, digest=digest)
        return True
    except IntegrityError:
        pass
    async with atomic():
        reused = InboundReceipt.filter(channel=channel.value, key=key).exclude(digest=digest)
        return bool(await reused.update(digest=digest, created_at=datetime.now(UTC)))
