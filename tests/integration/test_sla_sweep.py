"""The SLA sweep on a real database with a controllable clock: due times stored, warnings and breaches once."""

from __future__ import annotations

from core import alarm_text
from core.actions.calendar import seed_fixed_holidays
from core.actions.cases import open_case, set_case_status
from core.actions.outbox import send_reply
from core.actions.sla import ensure_default_policies, set_case_priority, set_sla_policy
from core.jalali import format_datetime
from core.models import (
    Alarm,
    AlarmDelivery,
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Channel,
    Conversation,
    ConversationStatus,
    Message,
    OutboundMessage,
    Priority,
)
from core.sweeps.sla import sweep_sla
from scheduler.reactions import install
from tests.support.alarms import at, case_opened_at, staffed_team, status_at
from tests.support.seed import seed_contact


def shown(dt: object) -> str:
    return format_datetime(dt)  # type: ignore[arg-type]


async def test_the_sweep_stores_due_times_counted_on_the_business_calendar(db: str) -> None:
    await seed_fixed_holidays(1405, 1405)
    case = await case_opened_at(at("1405/03/13 12:00"), priority=Priority.URGENT)  # service: 30 / 480 minutes
    await sweep_sla(at("1405/03/13 12:05"))
    case = await Case.get(id=case.id)
    assert shown(case.first_response_due) == shown(at("1405/03/13 12:30"))
    # Wednesday 4h, 14 Khordad (Thursday) and 15 Khordad (Friday) off, Saturday 4h.
    assert shown(case.resolution_due) == shown(at("1405/03/16 12:00"))


async def test_a_breached_case_raises_one_alarm_however_often_the_sweep_runs(db: str) -> None:
    staff = await staffed_team()
    case = await case_opened_at(at("1405/09/15 09:00"), team=staff.team)  # service normal: 240 / 2400
    now = at("1405/09/15 13:30")  # 270 business minutes later: first response breached
    first = await sweep_sla(now)
    again = await sweep_sla(now)
    later = await sweep_sla(at("1405/09/15 15:00"))
    assert (first["alarms"], again["alarms"], later["alarms"]) == (1, 0, 0)
    [alarm] = await Alarm.filter(kind="sla_breach")
    assert (alarm.object_type, alarm.object_id) == ("case", str(case.id))
    assert alarm_text.fa(case.number) in alarm.text and "امیر رضایی" in alarm.text
    recipients = sorted(await AlarmDelivery.filter(alarm_id=alarm.id).values_list("address", flat=True))
    assert recipients == ["maryam@example.ir", "sara@example.ir"]  # the manager and the team lead (no assignee)
    assert await OutboundMessage.filter(kind="alarm").count() == 2


async def test_the_warning_comes_at_its_percentage_and_before_the_breach_each_once(db: str) -> None:
    await staffed_team()
    await case_opened_at(at("1405/09/15 09:00"))
    assert (await sweep_sla(at("1405/09/15 12:00")))["alarms"] == 0  # 180 of 240 minutes: under 80%
    assert (await sweep_sla(at("1405/09/15 12:13")))["alarms"] == 1  # 193 minutes: past 192 (80%)
    assert (await sweep_sla(at("1405/09/15 12:30")))["alarms"] == 0
    assert (await sweep_sla(at("1405/09/15 13:01")))["alarms"] == 1  # the breach
    kinds = await Alarm.all().order_by("id").values_list("kind", flat=True)
    assert kinds == ["sla_warning", "sla_breach"]


async def test_a_staff_reply_on_any_channel_is_the_first_response_and_stops_that_clock(db: str) -> None:
    staff = await staffed_team()
    case = await case_opened_at(at("1405/09/15 09:00"))
    conversation = await Conversation.create(
        channel=Channel.EMAIL, contact_id=case.contact_id, status=ConversationStatus.OPEN, thread_key="amir@example.ir"
    )
    reply = await send_reply(conversation.id, "درخواست شما ثبت شد و بررسی می‌شود.", by=staff.agent)
    await Message.filter(id=reply.id).update(created_at=at("1405/09/15 10:00"))  # an email, an hour in
    result = await sweep_sla(at("1405/09/15 13:30"))
    case = await Case.get(id=case.id)
    assert shown(case.first_response_at) == shown(at("1405/09/15 10:00"))
    assert result["first_responses"] == 1
    assert not await Alarm.filter(key__contains="first_response").exists()


async def test_a_case_waiting_on_the_customer_raises_nothing_and_its_due_time_moves_by_the_wait(db: str) -> None:
    await staffed_team()
    case = await case_opened_at(at("1405/09/15 09:00"), type=CaseType.COMPLAINT, priority=Priority.HIGH)  # 60 / 480
    await Case.filter(id=case.id).update(first_response_at=at("1405/09/15 09:30"))
    await set_case_status(case.id, CaseStatus.WAITING, by=None)
    await status_at(case, at("1405/09/15 10:00"))
    assert (await sweep_sla(at("1405/09/16 15:00")))["alarms"] == 0  # long past 480 minutes, but waiting
    await set_case_status(case.id, CaseStatus.OPEN, by=None)
    await status_at(case, at("1405/09/16 10:00"))  # waited Sunday 10-16 (360) + Monday 8-10 (120)
    await sweep_sla(at("1405/09/16 10:05"))
    case = await Case.get(id=case.id)
    # 480 + 480 business minutes from Sunday 09:00: Sunday 420, Monday 480, Tuesday 60.
    assert shown(case.resolution_due) == shown(at("1405/09/17 09:00"))
    assert not await Alarm.exists()


async def test_changing_priority_or_the_policy_recomputes_the_stored_due_times(db: str) -> None:
    await ensure_default_policies()
    case = await case_opened_at(at("1405/09/15 09:00"))
    await sweep_sla(at("1405/09/15 09:01"))
    assert shown((await Case.get(id=case.id)).first_response_due) == shown(at("1405/09/15 13:00"))  # 240
    case = await set_case_priority(case.id, priority=Priority.URGENT, by=None)  # 30 minutes
    assert shown(case.first_response_due) == shown(at("1405/09/15 09:30"))
    await set_sla_policy(CaseType.SERVICE, Priority.URGENT, first_response_minutes=15, resolution_minutes=120, by=None)
    case = await Case.get(id=case.id)
    assert shown(case.first_response_due) == shown(at("1405/09/15 09:15"))
    assert shown(case.resolution_due) == shown(at("1405/09/15 11:00"))


async def test_a_resolved_case_is_no_longer_swept(db: str) -> None:
    await staffed_team()
    case = await case_opened_at(at("1405/09/15 09:00"))
    await set_case_status(case.id, CaseStatus.RESOLVED, by=None)
    assert (await sweep_sla(at("1405/09/20 12:00")))["cases"] == 0
    assert not await Alarm.exists()


async def test_in_the_running_service_a_new_case_gets_due_times_at_once_and_a_staff_reply_stamps_it(db: str) -> None:
    staff = await staffed_team()
    await ensure_default_policies()
    contact = await seed_contact("امیر رضایی", "09121234567")
    conversation = await Conversation.create(
        channel=Channel.SMS, contact=contact, status=ConversationStatus.OPEN, thread_key="+989121234567"
    )
    uninstall = install()  # what start_scheduler does in the service
    try:
        case = await open_case(contact_id=contact.id, by=staff.agent, conversation_id=conversation.id)
        opened = await Case.get(id=case.id)
        assert opened.first_response_due is not None and opened.resolution_due is not None
        reply = await send_reply(conversation.id, "سلام، پیگیری می‌کنیم.", by=staff.agent)
        assert (await Case.get(id=case.id)).first_response_at == reply.created_at
        await set_case_priority(case.id, priority=Priority.URGENT, by=staff.agent)
        event = await CaseEvent.filter(case_id=case.id, kind="priority").get()
        assert event.note == "اولویت: عادی ← فوری"
    finally:
        uninstall()
