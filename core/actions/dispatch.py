"""The outbox's state changes: claim due rows, record send results, back off, reclaim after a crash.

Status flow of an OutboundMessage: queued → sending (claimed) → sent → delivered | failed, plus
`held` for rows parked while their whole channel waits (see core.actions.holds).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tortoise import connections
from tortoise.expressions import Q, Subquery

from core.actions.holds import held_channels, hold_channel, raise_alarm_once, release_channel
from core.actions.outbox_claim import UNFINISHED, claim_rows
from core.models import Channel, Message, MessageStatus, OutboundMessage, OutboxStatus
from core.outbound_channels import not_configured
from core.tx import Outcome, atomic

# How far each status is along the way; a report never moves a row backwards.
_RANK = {"queued": 0, "held": 0, "sending": 1, "sent": 2, "delivered": 3, "failed": 3}


class SendResult(Protocol):
    """What a channel reports for an accepted send (channels.base.Delivery)."""

    @property
    def provider_id(self) -> str | None: ...

    @property
    def parts(self) -> int: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped, and the attempt after which a send is given up."""

    base_s: float = 10.0
    cap_s: float = 900.0
    max_attempts: int = 8

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (half fixed, half random)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempt - 1, 0))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


DEFAULT_RETRY = RetryPolicy()


def utcnow() -> datetime:
    """The current time in UTC (what the database stores)."""
    return datetime.now(UTC)


async def claim_due(
    limit: int,
    *,
    now: datetime | None = None,
    channels: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
    held: Collection[str] | None = None,
) -> list[OutboundMessage]:
    """Claim up to `limit` due queued rows (→ sending, attempts+1); never a row another process holds.

    A row waits while an earlier row of its (channel, recipient) is unfinished (core.actions.outbox_claim),
    so one recipient's messages go out one at a time and in the order they were queued.

    `held`: the channels on hold, when the caller has just read them (saves reading them again).
    """
    if limit <= 0:
        return []
    now = now or utcnow()
    if held is None:
        held = list(await held_channels())
    return await claim_rows(
        limit,
        now,
        channels=None if channels is None else [str(c) for c in channels],
        kinds=None if kinds is None else [str(k) for k in kinds],
        held=[str(h) for h in held],
    )


async def _update_message(
    row: OutboundMessage,
    status: MessageStatus,
    out: Outcome,
    *,
    error: str | None = None,
    external_id: str | None = None,
) -> None:
    """Move the conversation message this send belongs to, if any, forward to `status`."""
    if row.message_id is None:
        return
    message = await Message.filter(id=row.message_id).select_for_update().first()
    if message is None or _RANK.get(str(message.status), 0) >= _RANK[str(status)]:
        return
    changes: dict[str, object] = {"status": status}
    if error is not None:
        changes["error"] = error
    if external_id and not message.external_id:
        taken = await Message.filter(channel=message.channel, external_id=external_id).exists()
        if not taken:
            changes["external_id"] = external_id
    await Message.filter(id=message.id).update(**changes)
    out.emit("message.status", message_id=message.id, status=str(status))


async def _locked(out_id: int) -> OutboundMessage | None:
    return await OutboundMessage.filter(id=out_id).select_for_update().first()


async def mark_sent(out_id: int, delivery: SendResult, *, now: datetime | None = None) -> bool:
    """Record that the provider accepted the send (its id, billed parts); the message becomes sent."""
    async with atomic() as out:
        row = await _locked(out_id)
        if row is None or row.status in (OutboxStatus.SENT, OutboxStatus.DELIVERED):
            return False
        await OutboundMessage.filter(id=out_id).update(
            status=OutboxStatus.SENT,
            provider_id=delivery.provider_id,
            parts=delivery.parts,
            sent_at=now or utcnow(),
            claimed_at=None,
            error=None,
        )
        await _update_message(row, MessageStatus.SENT, out, external_id=delivery.provider_id)
        out.emit("outbox.sent", out_id=out_id, channel=str(row.channel), message_id=row.message_id)
    return True


_SENT_SQL = {
    "sqlite": "UPDATE outbound_message SET status = 'sent', provider_id = ?, parts = ?, sent_at = ?, "
    "claimed_at = NULL, error = NULL WHERE id = ?",
    "postgres": "UPDATE outbound_message SET status = 'sent', provider_id = $1, parts = $2, sent_at = $3, "
    "claimed_at = NULL, error = NULL WHERE id = $4",
}
# The conversation message of a send moves to `sent` (never backwards), taking the provider's id
# when it has none and no other message of its channel has that id.
_MESSAGE_SENT_SQL = {
    "sqlite": "UPDATE message SET status = 'sent', external_id = CASE WHEN external_id IS NULL "
    "AND ?1 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message AS other WHERE other.channel = message.channel "
    "AND other.external_id = ?1) THEN ?1 ELSE external_id END WHERE id = ?2 AND status IN ('queued', 'sending')",
    "postgres": "UPDATE message SET status = 'sent', external_id = CASE WHEN external_id IS NULL "
    "AND $1::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message AS other WHERE other.channel = message.channel "
    "AND other.external_id = $1::text) THEN $1::text ELSE external_id END "
    "WHERE id = $2 AND status IN ('queued', 'sending')",
}


async def mark_sent_many(deliveries: Mapping[int, SendResult], *, now: datetime | None = None) -> int:
    """mark_sent for many sends in one transaction (a sendarray, or sends finished together); how many changed.

    One prepared UPDATE executed for every row (executemany) instead of a transaction per row, and
    the conversation messages they belong to moved forward the same way, with the same rules as
    `mark_sent` (never backwards; a provider id only where no other message of the channel has it).
    """
    if not deliveries:
        return 0
    now = now or utcnow()
    sent_at = OutboundMessage._meta.fields_map["sent_at"].to_db_value(now, OutboundMessage)
    async with atomic() as out:
        rows = (
            await OutboundMessage.filter(id__in=list(deliveries))
            .exclude(status__in=[OutboxStatus.SENT, OutboxStatus.DELIVERED])
            .select_for_update()
            .only("id", "message_id", "channel")
        )
        if not rows:
            return 0
        conn = connections.get("default")  # inside atomic(): the transaction's connection
        dialect = "postgres" if conn.capabilities.dialect == "postgres" else "sqlite"
        values = [[deliveries[r.id].provider_id, deliveries[r.id].parts, sent_at, r.id] for r in rows]
        await conn.execute_many(_SENT_SQL[dialect], values)
        await _messages_sent(conn, dialect, rows, deliveries, out)
        for row in rows:
            out.emit("outbox.sent", out_id=row.id, channel=str(row.channel), message_id=row.message_id)
    return len(rows)


async def _messages_sent(
    conn: Any, dialect: str, rows: list[OutboundMessage], deliveries: Mapping[int, SendResult], out: Outcome
) -> None:
    """Move the rows' conversation messages to `sent` with one executemany (rules in _MESSAGE_SENT_SQL)."""
    values = [[deliveries[r.id].provider_id or None, r.message_id] for r in rows if r.message_id is not None]
    if not values:
        return
    await conn.execute_many(_MESSAGE_SENT_SQL[dialect], values)
    for _, message_id in values:
        out.emit("message.status", message_id=message_id, status=str(MessageStatus.SENT))


async def _fail(row: OutboundMessage, reason: str, out: Outcome) -> None:
    await OutboundMessage.filter(id=row.id).update(status=OutboxStatus.FAILED, error=reason, claimed_at=None)
    await _update_message(row, MessageStatus.FAILED, out, error=reason)
    out.emit("outbox.failed", out_id=row.id, channel=str(row.channel), reason=reason)


async def mark_failed(out_id: int, reason: str) -> bool:
    """Give up on a send for good with the reason (shown to staff on the message)."""
    async with atomic() as out:
        row = await _locked(out_id)
        if row is None or row.status in (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.FAILED):
            return False
        await _fail(row, reason, out)
    return True


async def retry_later(
    out_id: int,
    reason: str,
    delay_s: float | None = None,
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    now: datetime | None = None,
) -> OutboxStatus | None:
    """Queue a claimed row again after `delay_s` (the provider's retry_after) or the policy's backoff.

    After `policy.max_attempts` attempts the row fails with the last reason. Returns the new status.
    """
    async with atomic() as out:
        row = await _locked(out_id)
        if row is None or row.status != OutboxStatus.SENDING:
            return row.status if row else None
        if row.attempts >= policy.max_attempts:
            await _fail(row, f"{reason} (gave up after {row.attempts} attempts)", out)
            return OutboxStatus.FAILED
        delay = policy.delay(row.attempts) if delay_s is None else max(0.0, delay_s)
        await OutboundMessage.filter(id=out_id).update(
            status=OutboxStatus.QUEUED,
            next_attempt_at=(now or utcnow()) + timedelta(seconds=delay),
            claimed_at=None,
            error=reason,
        )
        out.emit("outbox.retry", out_id=out_id, channel=str(row.channel), delay_s=delay)
    return OutboxStatus.QUEUED


async def fail_unconfigured(configured: Collection[str]) -> int:
    """Fail every unfinished row (and its message) on a channel outside `configured`; how many.

    At start the dispatcher hands over its channels: rows queued before (a reply while SMTP was not set
    up, a fax notice) would otherwise wait forever. The reason starts «کانال پیکربندی نشده».
    """
    ours = {str(c) for c in configured}
    unfinished = [str(s) for s in UNFINISHED]
    failed = 0
    async with atomic() as out:
        for channel in (str(c) for c in Channel if str(c) not in ours):
            reason = not_configured(channel)
            rows = OutboundMessage.filter(channel=channel, status__in=unfinished)
            await Message.filter(
                id__in=Subquery(rows.filter(message_id__not_isnull=True).values("message_id")),
                status__in=[MessageStatus.QUEUED, MessageStatus.SENDING],
            ).update(status=MessageStatus.FAILED, error=reason)
            count = await rows.update(status=OutboxStatus.FAILED, error=reason, claimed_at=None)
            if count:
                out.emit("outbox.failed", channel=channel, reason=reason, count=count)
            failed += count
    return failed


async def requeue(out_id: int, *, now: datetime | None = None) -> bool:
    """Put a row left in `sending` back in the queue now (the provider never got it)."""
    async with atomic() as out:
        updated = await OutboundMessage.filter(id=out_id, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.QUEUED, next_attempt_at=now or utcnow(), claimed_at=None
        )
        if updated:
            out.emit("outbox.queued", out_id=out_id)
    return bool(updated)


async def reclaim_stuck(
    older_than: timedelta, *, now: datetime | None = None, channels: Collection[str] | None = None
) -> list[OutboundMessage]:
    """Rows left in `sending` (claimed before now − older_than) by a crash, re-stamped for the caller.

    They stay `sending`: the caller asks the provider what became of them (Kavenegar localid) and
    then calls mark_sent or requeue. Re-stamping keeps another process from taking them meanwhile.
    """
    now = now or utcnow()
    async with atomic():
        query = OutboundMessage.filter(
            Q(claimed_at__lte=now - older_than) | Q(claimed_at__isnull=True), status=OutboxStatus.SENDING
        )
        if channels is not None:
            query = query.filter(channel__in=[str(c) for c in channels])
        ids = [row.id for row in await query.order_by("id").select_for_update(skip_locked=True).only("id")]
        if not ids:
            return []
        await OutboundMessage.filter(id__in=ids).update(claimed_at=now)
        return await OutboundMessage.filter(id__in=ids).order_by("id")


async def set_delivery_status(
    channel: str, provider_id: str, status: MessageStatus, *, reason: str | None = None
) -> OutboundMessage | None:
    """Apply a provider's delivery report to the send with that provider id and its message."""
    target = {
        MessageStatus.SENT: OutboxStatus.SENT,
        MessageStatus.DELIVERED: OutboxStatus.DELIVERED,
        MessageStatus.FAILED: OutboxStatus.FAILED,
    }.get(status)
    error = reason if status == MessageStatus.FAILED else None
    async with atomic() as out:
        row = await OutboundMessage.filter(channel=channel, provider_id=provider_id).select_for_update().first()
        if row is not None and target is not None and _RANK[str(target)] > _RANK[str(row.status)]:
            changes: dict[str, object] = {"status": target}
            if error:
                changes["error"] = error
            await OutboundMessage.filter(id=row.id).update(**changes)
            out.emit("outbox.status", out_id=row.id, channel=channel, status=str(target))
        if row is not None and row.message_id is not None:
            await _update_message(row, status, out, error=error)
        elif status in (MessageStatus.DELIVERED, MessageStatus.FAILED):
            message = await Message.filter(channel=channel, external_id=provider_id, direction="out").first()
            if message is not None and _RANK.get(str(message.status), 0) < _RANK[str(status)]:
                await Message.filter(id=message.id).update(status=status, error=error)
                out.emit("message.status", message_id=message.id, status=str(status))
    if row is not None:
        await row.refresh_from_db()
    return row


__all__ = [
    "DEFAULT_RETRY",
    "RetryPolicy",
    "SendResult",
    "claim_due",
    "fail_unconfigured",
    "held_channels",
    "hold_channel",
    "mark_failed",
    "mark_sent",
    "mark_sent_many",
    "raise_alarm_once",
    "reclaim_stuck",
    "release_channel",
    "requeue",
    "retry_later",
    "set_delivery_status",
]
