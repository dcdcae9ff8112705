"""Holding a whole channel (Kavenegar 418: no credit) and raising an admin alarm exactly once."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F

from core.actions.alarm_rules import rules_of
from core.actions.alarms import raise_alarm
from core.alarm_kinds import KINDS
from core.models import Alarm, OutboundMessage, OutboxStatus, Setting
from core.queries.alarm_recipients import staff_addresses, staff_of
from core.tx import atomic

log = logging.getLogger(__name__)

HOLD_PREFIX = "outbox.hold."
ADMINS = {"roles": ["admin"]}
ADMIN_CHANNELS = ("email", "sms", "telegram", "bale")


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
    Recipients and channels come from the active `channel_held` rule when there is one (admins by
    email, SMS, Telegram and Bale otherwise); these operational alarms are never held for quiet hours.
    """
    rules = await rules_of(kind) if kind in KINDS else []
    rule = rules[0] if rules else None
    recipients = rule.recipients if rule else ADMINS
    users = await staff_of(recipients, None)
    addresses = await staff_addresses(users, rule.channels if rule else ADMIN_CHANNELS)
    return await raise_alarm(
        key,
        kind,
        text,
        rule=rule,
        addresses=addresses,
        urgent=urgent,
        quiet=False,
        avoid_channels=avoid_channels,
        object_type=object_type,
        object_id=object_id,
    )
