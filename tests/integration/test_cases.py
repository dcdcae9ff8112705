"""Cases and leads from conversations (INB-6), case numbers, calls, and staff actions on conversations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.actions.calls import log_call
from core.actions.cases import (
    next_case_number,
    open_case,
    open_case_from_conversation,
    open_lead,
    open_lead_from_conversation,
    set_case_status,
)
from core.actions.contacts import create_contact
from core.actions.conversations import assign, hand_to_bot, set_labels, set_priority, set_status
from core.actions.inbox import ingest_message
from core.actions.staff import create_user
from core.errors import ValidationError
from core.events import Event, bus
from core.models import (
    AuditLog,
    CaseEvent,
    CaseStatus,
    CaseType,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    IdentityKind,
    Priority,
    Role,
    Sequence,
    Task,
    Team,
    User,
)
from core.models.enums import CallDirection
from tests.support.inbound import email, telegram

NOWRUZ_1405_UTC = datetime(2026, 3, 20, 20, 30, tzinfo=UTC)  # 00:00 of 1 Farvardin 1405 in Tehran


@pytest.fixture
async def agent(db: str) -> User:
    return await create_user("sara", "a-long-password", role=Role.AGENT)


async def test_case_numbers_carry_the_jalali_year_of_tehran_time(db: str) -> None:
    assert await next_case_number(NOWRUZ_1405_UTC - timedelta(minutes=1)) == "1404-00001"
    assert await next_case_number(NOWRUZ_1405_UTC) == "1405-00001"
    assert await next_case_number(NOWRUZ_1405_UTC + timedelta(days=30)) == "1405-00002"
    assert (await Sequence.get(name="case-1405")).value == 2


async def test_case_numbers_are_unique_under_concurrency(db: str) -> None:
    contact = await create_contact("کیان")
    cases = await asyncio.gather(*(open_case(contact_id=contact.id, by=None, subject=f"{i}") for i in range(40)))
    numbers = sorted(c.number for c in cases)
    year = numbers[0].split("-")[0]
    assert numbers == [f"{year}-{i:05d}" for i in range(1, 41)]


async def test_a_conversation_becomes_a_case_with_history_audit_and_event(agent: User) -> None:
    inbound = await ingest_message(telegram(6001, "كولر اسپليت روشن نمي‌شود"))
    seen: list[Event] = []
    unsubscribe = bus.subscribe("case.", seen.append)
    try:
        case = await open_case_from_conversation(inbound.conversation.id, by=agent, priority=Priority.HIGH)
    finally:
        unsubscribe()
    assert case.contact_id == inbound.contact.id and case.conversation_id == inbound.conversation.id
    assert case.subject == "كولر اسپليت روشن نمي‌شود"  # the customer's words, as written
    assert (case.source_channel, case.priority, case.status) == (Channel.TELEGRAM, Priority.HIGH, CaseStatus.NEW)
    assert case.created_by_id == agent.id
    assert await CaseEvent.filter(case_id=case.id).values_list("kind", flat=True) == ["opened"]
    assert await AuditLog.exists(action="case.open", object_id=str(case.id), user_id=agent.id)
    assert [e.name for e in seen] == ["case.opened"] and seen[0].data["number"] == case.number


async def test_a_case_is_resolved_closed_and_reopened_with_its_history(agent: User) -> None:
    contact = await create_contact("کیان")
    case = await open_case(contact_id=contact.id, by=agent, type=CaseType.COMPLAINT, subject="تأخیر نصب")
    case = await set_case_status(case.id, CaseStatus.RESOLVED, by=agent, note="قطعه تعویض شد")
    assert case.resolved_at is not None
    case = await set_case_status(case.id, CaseStatus.CLOSED, by=agent)
    assert case.closed_at is not None
    case = await set_case_status(case.id, CaseStatus.OPEN, by=agent, note="مشتری دوباره تماس گرفت")
    assert case.resolved_at is None and case.closed_at is None
    events = await CaseEvent.filter(case_id=case.id).order_by("id").values_list("kind", "to_status", "note")
    assert events == [
        ("opened", "new", ""),
        ("status", "resolved", "قطعه تعویض شد"),
        ("status", "closed", ""),
        ("reopened", "open", "مشتری دوباره تماس گرفت"),
    ]


async def test_a_conversation_becomes_a_lead_owned_by_whoever_opened_it(agent: User) -> None:
    inbound = await ingest_message(email("buyer@example.ir", "استعلام قیمت چیلر"))
    lead = await open_lead_from_conversation(inbound.conversation.id, by=agent)
    assert (lead.title, lead.source_channel, lead.owner_id) == ("استعلام قیمت چیلر", Channel.EMAIL, agent.id)
    direct = await open_lead(contact_id=inbound.contact.id, by=agent, title="پکیج", segment="عمده")
    assert direct.segment == "عمده"


async def test_a_case_cannot_be_opened_for_a_merged_contact(agent: User) -> None:
    contact = await create_contact("کیان")
    await Contact.filter(id=contact.id).update(merged_into_id=(await create_contact("ک")).id)
    with pytest.raises(ValidationError, match="merged"):
        await open_case(contact_id=contact.id, by=agent)


async def test_a_logged_call_finds_the_contact_by_any_spelling_and_makes_a_follow_up(agent: User) -> None:
    contact = await create_contact("فرهاد", identities=[(IdentityKind.PHONE, "09121234567")])
    due = datetime(2025, 6, 1, 6, 30, tzinfo=UTC)
    call = await log_call(
        direction=CallDirection.IN,
        number="۰۹۱۲ ۱۲۳ ۴۵۶۷",
        by=agent,
        outcome="نیاز به بازدید",
        duration_seconds=95,
        follow_up="هماهنگی بازدید",
        follow_up_due=due,
    )
    assert call.contact_id == contact.id and call.number == "+989121234567"
    task = await Task.get(call_id=call.id)
    assert (task.title, task.owner_id, task.contact_id, task.due_at) == ("هماهنگی بازدید", agent.id, contact.id, due)
    assert await AuditLog.exists(action="call.log", object_id=str(call.id))


async def test_a_call_from_an_unknown_number_creates_its_contact(agent: User) -> None:
    call = await log_call(direction=CallDirection.IN, number="02188776655", by=agent)
    contact = await Contact.get(id=call.contact_id)
    assert contact.display_name == "+982188776655"
    with pytest.raises(ValidationError):
        await log_call(direction=CallDirection.OUT, number="123", by=agent)


async def test_staff_actions_change_the_conversation_and_leave_audit_rows(db: str) -> None:
    agent = await create_user("boss", "a-long-password", role=Role.MANAGER)
    team = await Team.create(name="خدمات")
    tech = await create_user("reza", "a-long-password", role=Role.TECHNICIAN, team=team)
    inbound = await ingest_message(telegram(6002, "سلام"))
    cid = inbound.conversation.id
    conversation = await assign(cid, by=agent, user_id=tech.id)
    assert (conversation.assignee_id, conversation.team_id) == (tech.id, team.id)
    await set_priority(cid, Priority.URGENT, by=agent)
    await set_labels(cid, [" نصب ", "نصب", "گارانتی"], by=agent)
    conversation = await set_status(cid, ConversationStatus.RESOLVED, by=agent)
    assert conversation.resolved_at is not None
    conversation = await set_status(cid, ConversationStatus.OPEN, by=agent)
    assert conversation.resolved_at is None
    conversation = await hand_to_bot(cid, by=agent)
    stored = await Conversation.get(id=cid)
    assert (stored.status, stored.priority, stored.labels) == (
        ConversationStatus.BOT,
        Priority.URGENT,
        ["نصب", "گارانتی"],
    )
    actions = (
        await AuditLog.filter(object_type="conversation", object_id=str(cid))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "conversation.assign",
        "conversation.priority",
        "conversation.labels",
        "conversation.status",
        "conversation.status",
        "conversation.hand_to_bot",
    ]


async def test_an_email_conversation_cannot_be_handed_to_a_bot(agent: User) -> None:
    inbound = await ingest_message(email("a@example.ir", "سلام"))
    with pytest.raises(ValidationError, match="no bot on email"):
        await hand_to_bot(inbound.conversation.id, by=agent)


async def test_a_case_links_the_customers_own_device_and_order_in_one_step(db: str) -> None:
    from core.actions.devices import register_device
    from tests.support.domain import customer, order_for, product

    owner, other = await customer(), await customer("نرگس کاظمی", "09351112233")
    unit = await product()
    order = await order_for(owner, unit)
    device = await register_device("AC-240015", product_id=unit.id, owner_id=owner.id, by=None)
    case = await open_case(contact_id=owner.id, by=None, device_id=device.id, order_id=order.id, subject="صدای زیاد")
    assert (case.device_id, case.order_id) == (device.id, order.id)
    with pytest.raises(ValidationError, match="does not belong"):
        await open_case(contact_id=other.id, by=None, device_id=device.id)
    with pytest.raises(ValidationError, match="does not belong"):
        await open_case(contact_id=other.id, by=None, order_id=order.id)
