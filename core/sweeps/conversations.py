"""Conversations waiting for their first answer longer than N business minutes (SRV-5, PLT-5)."""

from __future__ import annotations

from datetime import datetime

from core import alarm_text
from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.calendar import load_calendar
from core.bizcal import BusinessCalendar
from core.models import AlarmRule, Conversation, ConversationStatus
from core.queries.alarm_subjects import conversation_subject
from core.sweeps.common import each

KIND = "conversation_waiting"


async def _conversation(conv: Conversation, rules: list[AlarmRule], now: datetime, cal: BusinessCalendar) -> int:
    waited = cal.business_minutes_between(conv.created_at, now)
    raised = 0
    for rule in rules:
        limit = rule.threshold or 0
        if limit <= 0 or waited < limit:
            continue
        subject = await conversation_subject(conv)
        text = alarm_text.conversation_waiting(subject, limit, conv.created_at, now)
        key = alarm_key(KIND, "conversation", conv.id, rule.id, limit)
        raised += await raise_alarm(key, KIND, text, rule=rule, subject=subject, now=now, cal=cal) is not None
    return raised


async def sweep_waiting_conversations(now: datetime) -> dict[str, int]:
    """Alarm once per rule for each conversation with people (not the bot) still unanswered as of `now`."""
    await ensure_default_rules()
    rules = await rules_of(KIND)
    if not rules:
        return {"conversations": 0, "alarms": 0}
    cal = await load_calendar()
    waiting = await Conversation.filter(
        status=ConversationStatus.OPEN, first_response_at__isnull=True, created_at__lte=now
    ).order_by("id")
    raised = await each("conversations", waiting, lambda conv: _conversation(conv, rules, now, cal))
    return {"conversations": len(waiting), "alarms": raised}
