"""Missed calls nobody called back within N business minutes (PLT-5 on the CTI call-back tasks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q

from core import alarm_text
from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.calendar import load_calendar
from core.actions.cti import CALLBACK_KIND
from core.bizcal import BusinessCalendar
from core.models import AlarmRule, Call, Task
from core.models.enums import CallDirection, CallStatus
from core.queries.alarm_subjects import task_subject
from core.sweeps.common import each

KIND = "missed_call"
LOOKBACK = timedelta(days=14)  # older call-backs are history, not news


async def _called_back(call: Call, since: datetime, now: datetime) -> bool:
    """True when staff called the number back (even unanswered) or answered a new call from it since the miss."""
    talked = Q(status__in=(CallStatus.ANSWERED, CallStatus.COMPLETED)) | Q(direction=CallDirection.OUT)
    # When the call took place: its start as the PBX or the agent gave it, else when it was recorded.
    after = Q(started_at__gt=since, started_at__lte=now) | Q(started_at__isnull=True, created_at__gt=since)
    return await Call.filter(talked, after, number=call.number).exclude(id=call.id).exists()


async def _task(task: Task, rules: list[AlarmRule], now: datetime, cal: BusinessCalendar) -> int:
    call = await Call.get(id=task.call_id)
    missed_at = call.ended_at or call.created_at
    if await _called_back(call, missed_at, now):
        return 0
    waited = cal.business_minutes_between(missed_at, now)
    raised = 0
    for rule in rules:
        limit = rule.threshold or 0
        if limit <= 0 or waited < limit:
            continue
        subject = await task_subject(task)
        text = alarm_text.missed_call(subject, limit, missed_at, now)
        key = alarm_key(KIND, "task", task.id, rule.id, limit)
        raised += await raise_alarm(key, KIND, text, rule=rule, subject=subject, now=now, cal=cal) is not None
    return raised


async def sweep_missed_calls(now: datetime) -> dict[str, int]:
    """Alarm once per rule for each open call-back task of a missed call older than the rule's minutes."""
    await ensure_default_rules()
    rules = await rules_of(KIND)
    if not rules:
        return {"tasks": 0, "alarms": 0}
    cal = await load_calendar()
    tasks = await Task.filter(
        kind=CALLBACK_KIND,
        done_at__isnull=True,
        call__status=CallStatus.MISSED,
        created_at__gte=now - LOOKBACK,
        created_at__lte=now,
    ).order_by("id")
    raised = await each("missed calls", tasks, lambda task: _task(task, rules, now, cal))
    return {"tasks": len(tasks), "alarms": raised}
