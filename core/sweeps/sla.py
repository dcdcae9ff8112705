"""The SLA sweep (SRV-5): refresh due times, stamp first responses, raise warnings and breaches once."""

from __future__ import annotations

from datetime import datetime

from core import alarm_text
from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.calendar import load_calendar
from core.actions.sla import ensure_default_policies, refresh_cases, stamp_first_responses
from core.bizcal import BusinessCalendar
from core.models import AlarmRule, Case
from core.queries.alarm_subjects import case_subject
from core.sla_clock import Clock
from core.sweeps.common import each


def due_checks(case: Case, clock: Clock) -> list[tuple[str, datetime | None, datetime]]:
    """The clocks still running on an open case: (which, warning time, due time)."""
    checks = []
    if case.first_response_at is None and clock.first_response_due is not None:
        checks.append(("first_response", clock.first_response_warn, clock.first_response_due))
    if clock.resolution_due is not None:
        checks.append(("resolution", clock.resolution_warn, clock.resolution_due))
    return checks


async def _case(
    case: Case, clock: Clock, now: datetime, rules: dict[str, list[AlarmRule]], cal: BusinessCalendar
) -> int:
    if clock.paused:  # waiting on the customer: the clocks stand still
        return 0
    raised = 0
    for which, warn, due in due_checks(case, clock):
        if now >= due:
            level = "breach"
        elif warn is not None and now >= warn:
            level = "warning"
        else:
            continue
        kind = f"sla_{level}"
        subject = await case_subject(case)
        text = alarm_text.sla(level, which, subject, due, now)
        for rule in rules[kind]:
            key = alarm_key(kind, "case", case.id, rule.id, which)
            raised += await raise_alarm(key, kind, text, rule=rule, subject=subject, now=now, cal=cal) is not None
    return raised


async def sweep_sla(now: datetime) -> dict[str, int]:
    """Stamp first responses, recompute every open case's due times, alarm warnings and breaches as of `now`."""
    await ensure_default_policies()
    await ensure_default_rules()
    cal = await load_calendar()
    stamped = await stamp_first_responses(now)
    clocks = await refresh_cases(now=now, cal=cal)
    rules = {kind: await rules_of(kind) for kind in ("sla_warning", "sla_breach")}
    raised = await each("sla", clocks, lambda pair: _case(pair[0], pair[1], now, rules, cal))
    return {"cases": len(clocks), "first_responses": stamped, "alarms": raised}
