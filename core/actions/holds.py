"""Holding a whole channel (Kavenegar 418: no credit) and raising an admin alarm exactly once."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F

from core.actions.outbox import queue_notification
from core.errors import ValidationError
from core.models import Alarm, Channel, OutboundMessage, OutboxStatus, Role, Setting, User
from core.tx import atomic

log = logging.getLogger(__name__)

HOLD_PREFIX = "outbox.hold."
ALARM_SUBJECT = "هشدار پیک"


async def held_channels() -> dict[str, dict[str, Any]]:
    """Channels on hold now, each with its hold record ({"reason", "since"})."""
    rows = await Setting.filter(key__startswith=HOLD_PREFIX)
    return {row.key.removeprefix(HOLD_PREFIX): dict(row.value) for row in rows}


async def hold_channel(channel: str, reason: str, *, out_id: int | None = None) -> dict[str, Any]:
    """Stop sending on `channel` until released: a Setting records it, its queued rows become held.

    `out_id` is the send that hit the limit: it is parked too, and its attempt is not counted.
    Holding an already held channel keeps the first hold. Returns the hold record.
    """
    key = HOLD_PREFIX + str(channel)
    async with atomic() as out:
        record = {"reason": reason, "since": datetime.now(UTC).isoformat()}
        setting, created = await Setting.get_or_create(key=key, defaults={"value": record})
        if out_id is not None:
            await OutboundMessage.filter(id=out_id, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.HELD, attempts=F("attempts") - 1, claimed_at=None, error=reason
            )
        await OutboundMessage.filter(channel=channel, status=OutboxStatus.QUEUED).update(status=OutboxStatus.HELD)
        if created:
            out.emit("outbox.held", channel=str(channel), reason=reason)
    return dict(setting.value)


async def release_channel(channel: str) -> int:
    """End a hold: held rows are queued again at once; the hold's alarm is acknowledged. Returns their count."""
    key = HOLD_PREFIX + str(channel)
    now = datetime.now(UTC)
    async with atomic() as out:
        await Setting.filter(key=key).delete()
        count = await OutboundMessage.filter(channel=channel, status=OutboxStatus.HELD).update(
            status=OutboxStatus.QUEUED, next_attempt_at=now, claimed_at=None
        )
        await Alarm.filter(key__startswith=hold_alarm_prefix(channel), acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
        out.emit("outbox.released", channel=str(channel), count=count)
        out.emit("outbox.queued", channel=str(channel), count=count)
    return count


def hold_alarm_prefix(channel: str) -> str:
    """Alarm keys of a channel's holds start with this; one alarm per hold (its `since`)."""
    return f"channel_held:{channel}:"


async def _queue_for_admins(alarm: Alarm, avoid: Collection[str]) -> int:
    """Queue the alarm text to every active admin's email and phone (one row each, deduped)."""
    queued = 0
    for user in await User.filter(role=Role.ADMIN, is_active=True).order_by("id"):
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            if not address or str(channel) in avoid:
                continue
            try:
                row = await queue_notification(
                    channel,
                    address,
                    alarm.text,
                    kind="alarm",
                    dedupe_key=f"alarm:{alarm.id}:{channel}:{user.id}",
                    payload={"subject": ALARM_SUBJECT, "alarm_id": alarm.id},
                )
            except ValidationError as exc:  # a mistyped admin phone must not stop the alarm itself
                log.warning("alarm %s not queued to %s of user %s: %s", alarm.key, channel, user.id, exc)
                continue
            queued += row is not None
    return queued


async def raise_alarm_once(
    key: str,
    kind: str,
    text: str,
    urgent: bool = False,
    *,
    object_type: str = "",
    object_id: str = "",
    avoid_channels: Collection[str] = (),
) -> Alarm | None:
    """Create the alarm with this unique key and notify admins; None if it was raised before.

    `avoid_channels` skips notifying on a channel that cannot deliver it (SMS while SMS is held).
    """
    if await Alarm.exists(key=key):
        return None
    async with atomic() as out:
        alarm, created = await Alarm.get_or_create(
            key=key,
            defaults={"kind": kind, "text": text, "urgent": urgent, "object_type": object_type, "object_id": object_id},
        )
        if not created:
            return None
        await _queue_for_admins(alarm, avoid_channels)
        out.emit("alarm.raised", alarm_id=alarm.id, key=key, kind=kind, urgent=urgent)
    return alarm
