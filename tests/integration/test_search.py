"""Persian-normalized search over contacts and conversations (INB-9), and the contact timeline (INB-7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.actions.calls import log_call
from core.actions.cases import open_case_from_conversation
from core.actions.contacts import create_contact
from core.actions.conversations import set_labels, set_status
from core.actions.inbox import ingest_message
from core.actions.outbox import send_reply
from core.actions.staff import create_user
from core.errors import ValidationError
from core.models import Call, Case, ConversationStatus, IdentityKind, Message, Role, User
from core.models.enums import CallDirection
from core.queries import contact_timeline, conversation_messages, list_conversations, search_contacts
from tests.support.inbound import email, sms, telegram


@pytest.fixture
async def manager(db: str) -> User:
    return await create_user("boss", "a-long-password", role=Role.MANAGER)


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("علی رضایی", "علي"),
        ("کیان مقدم", "كيان"),
        ("علي رضايي", "علی"),
        ("مهندس\u200cزاده", "مهندس زاده"),
        ("مهندس زاده", "مهندس\u200cزاده"),
        ("مِهدی", "مهدی"),
    ],
)
async def test_a_name_is_found_however_its_letters_are_typed(manager: User, stored: str, typed: str) -> None:
    contact = await create_contact(stored)
    await create_contact("مریم احمدی")
    rows, total = await search_contacts(typed, user=manager)
    assert [c.id for c in rows] == [contact.id] and total == 1


@pytest.mark.parametrize("typed", ["۰۹۱۲", "0912", "٠٩١٢١٢٣", "+98912", "912 123", "1234567", "۰۹۱۲-۱۲۳-۴۵۶۷"])
async def test_a_phone_fragment_in_any_digit_set_finds_the_contact(manager: User, typed: str) -> None:
    contact = await create_contact("کیان", identities=[(IdentityKind.PHONE, "09121234567")])
    await create_contact("رضا", identities=[(IdentityKind.PHONE, "09351112233")])
    rows, _ = await search_contacts(typed, user=manager)
    assert [c.id for c in rows] == [contact.id]


async def test_an_email_fragment_finds_the_contact(manager: User) -> None:
    contact = await create_contact("کیان", identities=[(IdentityKind.EMAIL, "Kian@Customer.example")])
    rows, _ = await search_contacts("customer.EXAMPLE", user=manager)
    assert [c.id for c in rows] == [contact.id]


async def test_every_word_of_a_name_query_must_match(manager: User) -> None:
    ali_r = await create_contact("علی رضایی")
    await create_contact("علی احمدی")
    rows, _ = await search_contacts("رضایي علي", user=manager)
    assert [c.id for c in rows] == [ali_r.id]


async def test_contact_search_pages_and_counts(manager: User) -> None:
    for i in range(7):
        await create_contact(f"مشتری {i}")
    rows, total = await search_contacts("مشتري", user=manager, limit=3, offset=3)
    assert total == 7 and len(rows) == 3


async def test_a_percent_sign_in_a_query_is_taken_literally(manager: User) -> None:
    await create_contact("کیان")
    rows, total = await search_contacts("%", user=manager)
    assert rows == [] and total == 0


async def test_conversations_are_found_by_message_text_contact_name_or_phone(manager: User) -> None:
    cooler = await ingest_message(telegram(2001, "كولر گازي خراب است", sender_name="علي"))
    other = await ingest_message(sms("09351112233", "قیمت پکیج"))
    for query, expected in [("کولر گازی", cooler), ("علی", cooler), ("۰۹۳۵۱", other), ("پكيج", other)]:
        rows, total = await list_conversations(user=manager, q=query)
        assert [c.id for c in rows] == [expected.conversation.id], query
        assert total == 1


async def test_conversations_list_newest_activity_first_with_filters(manager: User) -> None:
    old = await ingest_message(telegram(2002, "قدیمی"))
    new = await ingest_message(email("a@example.ir", "جدید"))
    rows, _ = await list_conversations(user=manager)
    assert [c.id for c in rows] == [new.conversation.id, old.conversation.id]
    rows, _ = await list_conversations(user=manager, channel="email")
    assert [c.id for c in rows] == [new.conversation.id]
    rows, _ = await list_conversations(user=manager, status=ConversationStatus.BOT)
    assert [c.id for c in rows] == [old.conversation.id]
    await set_status(new.conversation.id, ConversationStatus.RESOLVED, by=manager)
    rows, _ = await list_conversations(user=manager, status=["open", "bot"])
    assert [c.id for c in rows] == [old.conversation.id]
    rows, _ = await list_conversations(user=manager, unassigned=True, limit=1)
    assert len(rows) == 1


async def test_conversations_are_filtered_by_label(manager: User) -> None:
    vip = await ingest_message(telegram(2003, "سلام"))
    await ingest_message(telegram(2004, "سلام"))
    await set_labels(vip.conversation.id, ["مشتری ویژه", "it's"], by=manager)
    for label in ("مشتری ویژه", "it's"):
        rows, total = await list_conversations(user=manager, label=label)
        assert [c.id for c in rows] == [vip.conversation.id] and total == 1
    assert (await list_conversations(user=manager, label="ویژه"))[1] == 0


async def test_messages_of_a_conversation_come_in_time_order_with_notes(manager: User) -> None:
    first = await ingest_message(telegram(2005, "یک"))
    await send_reply(first.conversation.id, "دو", by=manager)
    await send_reply(first.conversation.id, "یادداشت", by=manager, internal=True)
    rows, total = await conversation_messages(first.conversation.id, limit=2, offset=1)
    assert total == 3 and [m.text for m in rows] == ["دو", "یادداشت"]


async def test_the_timeline_shows_every_channel_and_record_in_one_time_order(manager: User) -> None:
    chat = await ingest_message(telegram(2006, "سلام", verified_phone="09121234567"))
    contact_id = chat.contact.id
    await ingest_message(sms("09121234567", "پیامک"))
    case = await open_case_from_conversation(chat.conversation.id, by=manager, subject="خرابی")
    call = await log_call(direction=CallDirection.OUT, number="+989121234567", by=manager, outcome="پاسخ داد")
    # Put the records at known, distinct times so the order is the test's, not the clock's.
    base = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    await Message.filter(id=chat.message.id).update(created_at=base)
    await Case.filter(id=case.id).update(created_at=base + timedelta(minutes=2))
    await Call.filter(id=call.id).update(created_at=base + timedelta(minutes=1))
    await Message.filter(text="پیامک").update(created_at=base + timedelta(minutes=3))
    items = await contact_timeline(contact_id, user=manager)
    kinds = [(i.kind, i.channel) for i in items if i.kind != "task"]
    assert kinds == [("message", "sms"), ("case", "telegram"), ("call", "call"), ("message", "telegram")]
    oldest_first = await contact_timeline(contact_id, user=manager, newest_first=False, limit=2)
    assert [(i.kind, i.channel) for i in oldest_first] == [("case", "telegram"), ("message", "sms")]
    assert items[1].summary.startswith(case.number)


async def test_an_unknown_status_filter_is_a_clear_error(manager: User) -> None:
    with pytest.raises(ValidationError, match="status: unknown value 'archived'"):
        await list_conversations(user=manager, status="archived")
