"""Raising alarms and notices exactly once, and delivering them: quiet hours, deferred sends, escalation (PLT-5).

An alarm is one `Alarm` row with a unique key (object, rule, threshold): written in the same transaction
as its deliveries and their outbox rows, so two sweeps that overlap, or a process that dies half-way,
never send it twice. Outside business hours a non-urgent alarm's deliveries wait (`deferred`) until the
next business start. An unacknowledged alarm whose rule escalates goes to the team lead, then to the
managers, after the rule's minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core import alarm_text
from core.actions.audit import record
from core.actions.calendar import load_calendar
from core.actions.outbox import queue_notification
from core.alarm_kinds import KINDS
from core.areas import Area, require_write
from core.bizcal import BusinessCalendar
from core.errors import NotFound, ValidationError
from core.models import Alarm, AlarmDelivery, AlarmRule, Role, User
from core.queries.alarm_recipients import (
    Address,
    customer_address,
    fallback_staff,
    staff_addresses,
    staff_of,
    team_leads,
)
from core.queries.alarm_subjects import Subject, load_subject
from core.tx import atomic

log = logging.getLogger(__name__)

DEFERRED, QUEUED, SKIPPED = "deferred", "queued", "skipped"
STAFF_SUBJECT = "هشدار پیک"
CUSTOMER_SUBJECT = "اطلاع‌رسانی"
TOP_LEVEL = 2  # 0: the rule's recipients, 1: the team lead, 2: the managers
ESCALATION_WINDOW = timedelta(days=7)


def alarm_key(kind: str, object_type: str, object_id: object, rule_id: int, *parts: object) -> str:
    """The unique key of an alarm: kind, object, rule and threshold, e.g. sla_breach:case:42:r3:resolution."""
    tail = "".join(f":{p}" for p in parts)
    return f"{kind}:{object_type}:{object_id}:r{rule_id}{tail}"


def utcnow() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


async def addresses_for(rule: AlarmRule, subject: Subject | None) -> list[Address]:
    """Where a rule sends about `subject`: the customer's first reachable channel, or each staff member's channels."""
    if KINDS[rule.kind].audience == "customer":
        found = await customer_address(subject.customer if subject else None, rule.channels)
        return [found] if found else []
    users = await staff_of(rule.recipients, subject) or await fallback_staff()
    return await staff_addresses(users, rule.channels)


async def quiet_until(now: datetime, urgent: bool, cal: BusinessCalendar | None = None) -> datetime | None:
    """When a non-urgent send made at `now` may go out, if `now` is outside business hours; else None."""
    if urgent:
        return None
    cal = cal or await load_calendar()
    return None if cal.is_business_time(now) else cal.next_business_start(now)


async def _queue(delivery: AlarmDelivery, text: str, alarm_id: int, legacy_key: bool) -> None:
    staff = delivery.user_id is not None
    # Level-0 staff rows keep the key the hold alarm always used, so older rows still dedupe.
    key = f"alarm:{alarm_id}:{delivery.channel}:{delivery.user_id}" if legacy_key else f"alarm-delivery:{delivery.id}"
    payload = {"subject": STAFF_SUBJECT if staff else CUSTOMER_SUBJECT, "alarm_id": alarm_id}
    try:
        row = await queue_notification(
            delivery.channel,
            delivery.address,
            text,
            kind="alarm" if staff else "notice",
            dedupe_key=key,
            payload=payload,
        )
    except ValidationError as exc:  # a mistyped phone must not stop the alarm itself
        log.warning("alarm %s not queued to %s %s: %s", alarm_id, delivery.channel, delivery.address, exc)
        await AlarmDelivery.filter(id=delivery.id).update(status=SKIPPED, error=str(exc)[:500])
        return
    if row is not None:
        await AlarmDelivery.filter(id=delivery.id).update(outbound_id=row.id)


async def _deliver(
    alarm: Alarm,
    rule: AlarmRule | None,
    addresses: Sequence[Address],
    *,
    level: int,
    text: str,
    now: datetime,
    wait_until: datetime | None,
) -> int:
    """Write one delivery per address (deferred, or queued in the outbox now); inside the caller's transaction."""
    for a in addresses:
        delivery = await AlarmDelivery.create(
            alarm=alarm,
            rule=rule,
            level=level,
            user_id=a.user_id,
            contact_id=a.contact_id,
            channel=a.channel,
            address=a.address[:255],
            status=DEFERRED if wait_until else QUEUED,
            send_after=wait_until,
            queued_at=None if wait_until else now,
            dedupe=f"{alarm.id}:{level}:{a.who}:{a.channel}",
        )
        if wait_until is None:
            await _queue(delivery, text, alarm.id, legacy_key=level == 0 and a.user_id is not None)
    return len(addresses)


async def raise_alarm(
    key: str,
    kind: str,
    text: str,
    *,
    rule: AlarmRule | None = None,
    subject: Subject | None = None,
    addresses: Sequence[Address] | None = None,
    urgent: bool | None = None,
    now: datetime | None = None,
    quiet: bool = True,
    avoid_channels: Collection[str] = (),
    cal: BusinessCalendar | None = None,
    object_type: str = "",
    object_id: str = "",
) -> Alarm | None:
    """Record the alarm with this unique key and deliver it; None when it was raised before (by anyone)."""
    if await Alarm.exists(key=key):
        return None
    now = now or utcnow()
    urgent = bool(rule.urgent if urgent is None and rule is not None else urgent)
    if addresses is None:
        addresses = await addresses_for(rule, subject) if rule is not None else []
    addresses = [a for a in addresses if str(a.channel) not in avoid_channels]
    wait_until = await quiet_until(now, urgent, cal) if quiet else None
    try:
        async with atomic() as out:
            alarm = await Alarm.create(
                key=key[:200],
                kind=kind[:40],
                text=text,
                urgent=urgent,
                object_type=(subject.object_type if subject else object_type)[:40],
                object_id=(str(subject.object_id) if subject else object_id)[:40],
            )
            await _deliver(alarm, rule, addresses, level=0, text=text, now=now, wait_until=wait_until)
            out.emit("alarm.raised", alarm_id=alarm.id, key=alarm.key, kind=kind, urgent=urgent)
    except IntegrityError:
        if await Alarm.exists(key=key):  # another sweep raised it a moment ago
            return None
        raise
    return alarm


def _text(alarm: Alarm, level: int, rule: AlarmRule | None) -> str:
    if level == 0 or rule is None:
        return alarm.text
    return alarm_text.escalated(alarm.text, rule.escalate_after_minutes or 0)


async def release_deferred(now: datetime) -> int:
    """Queue the deliveries held for quiet hours whose time has come (skipped when the alarm was acknowledged)."""
    released = 0
    rows = await AlarmDelivery.filter(status=DEFERRED, send_after__lte=now).order_by("id").limit(500)
    for row in rows:
        async with atomic():
            if not await AlarmDelivery.filter(id=row.id, status=DEFERRED).update(status=QUEUED, queued_at=now):
                continue  # another sweep took it
            alarm = await Alarm.get(id=row.alarm_id)
            if alarm.acknowledged_at is not None:
                await AlarmDelivery.filter(id=row.id).update(status=SKIPPED, error="acknowledged before sending")
                continue
            rule = await AlarmRule.get_or_none(id=row.rule_id) if row.rule_id else None
            legacy = row.level == 0 and row.user_id is not None
            await _queue(row, _text(alarm, row.level, rule), alarm.id, legacy_key=legacy)
            released += 1
    return released


async def _next_level(alarm: Alarm, rule: AlarmRule, level: int, now: datetime) -> int:
    """Deliver to the first level above `level` that has someone not told yet; returns the deliveries made."""
    subject = await load_subject(alarm.object_type, alarm.object_id)
    told = set(await AlarmDelivery.filter(alarm_id=alarm.id).values_list("user_id", flat=True))
    for nxt in range(level + 1, TOP_LEVEL + 1):
        if nxt == 1:
            ids = await team_leads(subject.team_id if subject else None)
            users = list(await User.filter(id__in=ids, is_active=True))
        else:
            users = list(await User.filter(role=Role.MANAGER, is_active=True).order_by("id"))
        users = [u for u in users if u.id not in told]
        addresses = await staff_addresses(users, rule.channels)
        if addresses:
            wait_until = await quiet_until(now, alarm.urgent)
            text = _text(alarm, nxt, rule)
            async with atomic() as out:
                made = await _deliver(alarm, rule, addresses, level=nxt, text=text, now=now, wait_until=wait_until)
                out.emit("alarm.escalated", alarm_id=alarm.id, level=nxt)
            return made
    return 0


async def escalate_due(now: datetime) -> int:
    """Pass unacknowledged alarms on to the next level once their rule's minutes have gone by; returns deliveries."""
    rows = await AlarmDelivery.filter(
        Q(queued_at__gte=now - ESCALATION_WINDOW) | Q(status=DEFERRED),
        alarm__acknowledged_at__isnull=True,
        rule__escalate_after_minutes__not_isnull=True,
    ).values("alarm_id", "rule_id", "level", "status", "queued_at")
    latest: dict[int, tuple[int, int, datetime | None, bool]] = {}
    for r in rows:
        level, rule_id, queued, waiting = latest.get(r["alarm_id"], (-1, 0, None, False))
        if r["level"] > level:
            level, rule_id, queued, waiting = r["level"], r["rule_id"], None, False
        if r["level"] == level:
            waiting = waiting or r["status"] == DEFERRED
            if r["queued_at"] is not None and (queued is None or r["queued_at"] < queued):
                queued = r["queued_at"]
        latest[r["alarm_id"]] = (level, rule_id, queued, waiting)
    made = 0
    for alarm_id, (level, rule_id, queued, waiting) in latest.items():
        rule = await AlarmRule.get_or_none(id=rule_id)
        if level >= TOP_LEVEL or waiting or queued is None or rule is None or not rule.escalate_after_minutes:
            continue
        if now - queued < timedelta(minutes=rule.escalate_after_minutes):
            continue
        try:
            made += await _next_level(await Alarm.get(id=alarm_id), rule, level, now)
        except IntegrityError:  # another sweep escalated it at the same moment
            continue
    return made


async def acknowledge_alarm(alarm_id: int, *, by: User | None) -> Alarm:
    """Mark an alarm seen: it is not escalated further, and its deferred deliveries are not sent."""
    require_write(by, Area.ACCOUNT)  # whoever got the alarm may acknowledge it; the log is Area.ALARMS
    async with atomic() as out:
        alarm = await Alarm.filter(id=alarm_id).select_for_update().first()
        if alarm is None:
            raise NotFound(f"alarm {alarm_id} not found")
        if alarm.acknowledged_at is None:
            alarm.acknowledged_at = utcnow()
            await alarm.save(update_fields=["acknowledged_at"])
            await record(by, "alarm.acknowledge", alarm, key=alarm.key)
            out.emit("alarm.acknowledged", alarm_id=alarm.id)
    return alarm
