"""The other built-in alarms: unanswered conversations, missed calls, installments, and the Kavenegar credit hold."""

from __future__ import annotations

from datetime import timedelta

from core.actions.alarm_rules import ensure_default_rules
from core.actions.calls import log_call
from core.actions.cti import handle_cti_event
from core.actions.holds import raise_alarm_once
from core.cti import HANGUP, NEW_CALL, CtiEvent
from core.jalali import parse_jalali_date
from core.models import (
    Alarm,
    AlarmDelivery,
    Channel,
    Conversation,
    ConversationStatus,
    OutboundMessage,
    Role,
    StaffLink,
    User,
)
from core.models.enums import CallDirection
from core.sweeps.callbacks import sweep_missed_calls
from core.sweeps.conversations import sweep_waiting_conversations
from core.sweeps.installments import sweep_installments
from tests.support.alarms import at, staffed_team
from tests.support.domain import customer, order_for, product
from tests.support.seed import seed_user


async def test_a_conversation_unanswered_for_an_hour_of_business_time_alarms_its_team_once(db: str) -> None:
    staff = await staffed_team()
    contact = await customer()
    conv = await Conversation.create(
        channel=Channel.SMS, contact=contact, status=ConversationStatus.OPEN, team=staff.team, thread_key="+98912"
    )
    await Conversation.filter(id=conv.id).update(created_at=at("1405/09/12 11:30"))  # Thursday, 30 minutes to noon
    assert (await sweep_waiting_conversations(at("1405/09/14 08:29")))["alarms"] == 0  # 59 business minutes
    assert (await sweep_waiting_conversations(at("1405/09/14 08:31")))["alarms"] == 1
    assert (await sweep_waiting_conversations(at("1405/09/14 09:00")))["alarms"] == 0
    [alarm] = await Alarm.filter(kind="conversation_waiting")
    assert "بیش از ۶۰ دقیقهٔ کاری منتظر پاسخ اول است" in alarm.text
    assert sorted(await AlarmDelivery.all().values_list("address", flat=True)) == ["reza@example.ir", "sara@example.ir"]


async def missed_call(users: tuple[str, ...] = ("reza",)) -> None:
    ring = CtiEvent(NEW_CALL, "call-1", CallDirection.IN, from_number="09121234567", to_number="100", users=users)
    await handle_cti_event(ring, at=at("1405/09/15 10:00"))
    hangup = CtiEvent(HANGUP, "call-1", CallDirection.IN, from_number="09121234567", users=users, cause="noAnswer")
    await handle_cti_event(hangup, at=at("1405/09/15 10:00") + timedelta(seconds=30))


async def test_a_missed_call_not_called_back_in_30_business_minutes_alarms_the_team(db: str) -> None:
    await staffed_team()
    await customer()
    await missed_call()
    assert (await sweep_missed_calls(at("1405/09/15 10:25")))["alarms"] == 0
    assert (await sweep_missed_calls(at("1405/09/15 10:31")))["alarms"] == 1
    assert (await sweep_missed_calls(at("1405/09/15 11:31")))["alarms"] == 0
    [alarm] = await Alarm.filter(kind="missed_call")
    assert "امیر رضایی" in alarm.text and "۱۵ آذر ۱۴۰۵، ساعت ۱۰:۰۰" in alarm.text


async def test_a_missed_call_already_called_back_raises_nothing(db: str) -> None:
    staff = await staffed_team()
    await customer()
    await missed_call()
    called = at("1405/09/15 10:20")
    await log_call(direction=CallDirection.OUT, number="09121234567", by=staff.agent, started_at=called)
    assert (await sweep_missed_calls(at("1405/09/15 12:00")))["alarms"] == 0


async def test_installments_remind_the_customer_before_the_due_date_and_alarm_the_collector_after_it(db: str) -> None:
    collector = await seed_user("nima", "نیما صادقی", role=Role.COLLECTIONS)
    await User.filter(id=collector.id).update(email="nima@example.ir")
    buyer = await customer("امیر رضایی", "09121234567")
    due_soon, overdue, later = (parse_jalali_date(d) for d in ("1405/09/18", "1405/09/10", "1405/10/15"))
    await order_for(
        buyer, await product(), installments=((100_000_000, due_soon), (250_000_000, overdue), (550_000_000, later))
    )
    now = at("1405/09/15 10:00")
    assert await sweep_installments(now) == {"reminders": 1, "overdue_alarms": 1}
    assert await sweep_installments(now + timedelta(hours=1)) == {"reminders": 0, "overdue_alarms": 0}
    reminder = await OutboundMessage.get(kind="notice")
    assert (str(reminder.channel), reminder.recipient) == ("sms", "+989121234567")
    assert "۱۰۰٬۰۰۰٬۰۰۰ ریال" in reminder.payload["text"] and "۱۸ آذر ۱۴۰۵" in reminder.payload["text"]
    told = await OutboundMessage.get(kind="alarm")
    assert told.recipient == "nima@example.ir" and "۲۵۰٬۰۰۰٬۰۰۰ ریال" in told.payload["text"]


async def test_kavenegar_credit_exhausted_reaches_admins_on_their_linked_telegram_too_but_not_by_sms(db: str) -> None:
    await ensure_default_rules()
    admin = await seed_user("admin", "مدیر سامانه", role=Role.ADMIN, phone="09351112233")
    await User.filter(id=admin.id).update(email="admin@example.ir")
    await StaffLink.create(user=admin, channel=Channel.TELEGRAM, chat_id="7001")
    text = "ارسال پیامک متوقف شد. علت: Kavenegar send: ۴۱۸ اعتبار حساب شما کافی نیست."
    alarm = await raise_alarm_once("channel_held:sms:1", "channel_held", text, urgent=True, avoid_channels=("sms",))
    assert alarm is not None
    assert await raise_alarm_once("channel_held:sms:1", "channel_held", text, urgent=True) is None
    rows = await OutboundMessage.filter(kind="alarm").order_by("channel")
    assert [(str(r.channel), r.recipient) for r in rows] == [("email", "admin@example.ir"), ("telegram", "7001")]
    assert await AlarmDelivery.filter(alarm_id=alarm.id).count() == 2  # in the alarm log too
