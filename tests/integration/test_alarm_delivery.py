"""Alarm delivery: quiet hours on the business calendar (urgent ones excepted), escalation, acknowledgement."""

from __future__ import annotations

from core.actions.alarm_rules import ensure_default_rules, save_rule
from core.actions.alarms import acknowledge_alarm
from core.models import Alarm, AlarmDelivery, AlarmRule, Case, OutboundMessage
from core.sweeps.alarms import sweep_alarms
from core.sweeps.sla import sweep_sla
from tests.support.alarms import Staff, at, case_opened_at, staffed_team


async def assigned_case(staff: Staff) -> Case:
    case = await case_opened_at(at("1405/09/15 09:00"), team=staff.team)  # Sunday; first response due 13:00
    await Case.filter(id=case.id).update(assignee_id=staff.agent.id)
    return case


async def breach_rule_to_assignee(**values: object) -> AlarmRule:
    await ensure_default_rules()
    [rule] = await AlarmRule.filter(kind="sla_breach")
    return await save_rule(rule.id, by=None, recipients={"dynamic": ["assignee"]}, **values)


async def told(level: int) -> list[str]:
    return sorted(await AlarmDelivery.filter(level=level).values_list("address", flat=True))


async def test_an_alarm_raised_after_hours_waits_for_the_next_business_start(db: str) -> None:
    staff = await staffed_team()
    await breach_rule_to_assignee()
    await assigned_case(staff)
    await sweep_sla(at("1405/09/15 18:00"))  # Sunday evening
    [delivery] = await AlarmDelivery.all()
    assert delivery.status == "deferred" and delivery.outbound_id is None
    assert delivery.send_after == at("1405/09/16 08:00")
    assert await sweep_alarms(at("1405/09/15 23:00")) == {"released": 0, "escalated": 0}
    assert (await sweep_alarms(at("1405/09/16 08:00")))["released"] == 1
    assert (await sweep_alarms(at("1405/09/16 08:01")))["released"] == 0
    [row] = await OutboundMessage.filter(kind="alarm")
    assert row.recipient == "reza@example.ir"


async def test_an_urgent_alarm_goes_out_at_once_even_at_night(db: str) -> None:
    staff = await staffed_team()
    await breach_rule_to_assignee(urgent=True)
    await assigned_case(staff)
    await sweep_sla(at("1405/09/15 23:30"))
    [delivery] = await AlarmDelivery.all()
    assert delivery.status == "queued" and delivery.outbound_id is not None


async def test_an_unacknowledged_alarm_goes_to_the_team_lead_then_to_the_manager(db: str) -> None:
    staff = await staffed_team()
    await breach_rule_to_assignee(escalate_after_minutes=60)
    await assigned_case(staff)
    await sweep_sla(at("1405/09/15 13:30"))
    assert await told(0) == ["reza@example.ir"]
    assert (await sweep_alarms(at("1405/09/15 14:00")))["escalated"] == 0
    assert (await sweep_alarms(at("1405/09/15 14:30")))["escalated"] == 1
    assert await told(1) == ["sara@example.ir"]
    assert (await sweep_alarms(at("1405/09/15 14:45")))["escalated"] == 0
    assert (await sweep_alarms(at("1405/09/15 15:31")))["escalated"] == 1
    assert await told(2) == ["maryam@example.ir"]
    assert (await sweep_alarms(at("1405/09/16 12:00")))["escalated"] == 0  # the managers are the top
    escalated = await OutboundMessage.get(recipient="maryam@example.ir")
    assert escalated.payload["text"].startswith("ارجاع هشدار بی‌پاسخ (پس از ۶۰ دقیقه بدون تأیید):")


async def test_an_acknowledged_alarm_is_not_escalated(db: str) -> None:
    staff = await staffed_team()
    await breach_rule_to_assignee(escalate_after_minutes=60)
    await assigned_case(staff)
    await sweep_sla(at("1405/09/15 13:30"))
    [alarm] = await Alarm.all()
    await acknowledge_alarm(alarm.id, by=staff.agent)
    assert (await sweep_alarms(at("1405/09/15 16:00")))["escalated"] == 0
    assert await AlarmDelivery.all().count() == 1


async def test_a_rule_that_finds_nobody_falls_back_to_the_managers_so_no_alarm_is_lost(db: str) -> None:
    staff = await staffed_team()
    await breach_rule_to_assignee()
    await case_opened_at(at("1405/09/15 09:00"), team=staff.team)  # nobody assigned
    await sweep_sla(at("1405/09/15 13:30"))
    assert await told(0) == ["maryam@example.ir"]
