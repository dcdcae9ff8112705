"""Installment reminders (COL-6): the customer before the due date, the collector once it is overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.expressions import F

from core import alarm_text
from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.calendar import load_calendar
from core.bizcal import BusinessCalendar
from core.jalali import local_date
from core.models import AlarmRule, Installment
from core.models.orders import OrderStatus
from core.queries.alarm_subjects import installment_subject
from core.sweeps.common import each

DUE, OVERDUE = "installment_due", "installment_overdue"
LIVE = (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS, OrderStatus.DELIVERED)


def _unpaid(first: date, last: date):
    return Installment.filter(
        due_date__gte=first, due_date__lte=last, paid_amount__lt=F("amount"), order__status__in=LIVE
    ).order_by("due_date", "id")


async def _remind(inst: Installment, rule: AlarmRule, now: datetime, cal: BusinessCalendar) -> int:
    subject = await installment_subject(inst)
    name = subject.customer.display_name if subject.customer else ""
    text = alarm_text.installment_due(name, subject.number, inst.outstanding, inst.due_date)
    key = alarm_key(DUE, "installment", inst.id, rule.id, f"d{rule.threshold}")
    return await raise_alarm(key, DUE, text, rule=rule, subject=subject, now=now, cal=cal) is not None


async def _overdue(inst: Installment, rule: AlarmRule, today: date, now: datetime, cal: BusinessCalendar) -> int:
    subject = await installment_subject(inst)
    text = alarm_text.installment_overdue(subject, inst.outstanding, inst.due_date, (today - inst.due_date).days)
    key = alarm_key(OVERDUE, "installment", inst.id, rule.id)
    return await raise_alarm(key, OVERDUE, text, rule=rule, subject=subject, now=now, cal=cal) is not None


async def sweep_installments(now: datetime) -> dict[str, int]:
    """Remind customers of installments due within each rule's days; alarm collectors of overdue ones."""
    await ensure_default_rules()
    cal = await load_calendar()
    today = local_date(now, cal.tz)
    reminded = overdue = 0
    for rule in await rules_of(DUE):
        soon = await _unpaid(today, today + timedelta(days=rule.threshold or 0))
        reminded += await each("installment reminders", [(i, rule) for i in soon], lambda p: _remind(*p, now, cal))
    for rule in await rules_of(OVERDUE):
        late = await _unpaid(date(1900, 1, 1), today - timedelta(days=max(rule.threshold or 0, 1)))
        pairs = [(i, rule) for i in late]
        overdue += await each("overdue installments", pairs, lambda p: _overdue(*p, today, now, cal))
    return {"reminders": reminded, "overdue_alarms": overdue}
