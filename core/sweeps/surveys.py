"""Surveys after resolved cases (SUR-3) and low scores (SUR-6): schedule, send when due, follow up low scores."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.calendar import load_calendar
from core.actions.survey_followups import check_low_score
from core.actions.survey_invites import FlowStarter, due_invites, schedule_invites, send_invite
from core.db import int_column
from core.models import Response
from core.sweeps.common import each

KIND = "survey_after_case"
LOW_LOOKBACK = timedelta(days=14)


async def sweep_surveys(now: datetime, start_flow: FlowStarter | None = None) -> dict[str, int]:
    """Schedule invitations of newly resolved cases, send the due ones in business hours, check low scores."""
    await ensure_default_rules()
    rules = await rules_of(KIND)
    scheduled = sent = 0
    if rules:
        rule = rules[0]  # one survey after a case: the first active rule decides which and when
        scheduled = await schedule_invites(rule, now)
        cal = await load_calendar()
        if cal.is_business_time(now):  # customers are asked in business hours only
            due = await due_invites(now)
            sent = await each("survey invitations", due, lambda invite: send_invite(invite, rule, now, start_flow))
    completed = await int_column(Response.filter(completed_at__gte=now - LOW_LOOKBACK, completed_at__lte=now))
    followed = await each("low survey scores", completed, lambda rid: _follow(rid, now))
    return {"scheduled": scheduled, "sent": sent, "low_scores": followed}


async def _follow(response_id: int, now: datetime) -> int:
    return await check_low_score(response_id, now) is not None
