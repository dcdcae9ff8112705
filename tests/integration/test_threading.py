"""INB-3 threading: chats continue by chat or number, email by its keys; resolved ones reopen in a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.actions.cases import open_case
from core.actions.contacts import add_identity
from core.actions.conversations import set_status
from core.actions.inbox import ingest_message
from core.actions.outbox import send_reply
from core.inbound import InboundMessage
from core.models import Case, Channel, Conversation, ConversationStatus, IdentityKind, OutboundMessage
from core.threading import (
    case_number_from_subject,
    conversation_id_from_message_id,
    conversation_id_from_tag,
    make_message_id,
)
from tests.support.inbound import email, sms, telegram

CUSTOMER = "kian@customer.example"
WEEK = timedelta(days=7)


async def _resolve(conversation_id: int, *, ago: timedelta = timedelta(0)) -> None:
    await set_status(conversation_id, ConversationStatus.RESOLVED, by=None)
    await Conversation.filter(id=conversation_id).update(resolved_at=datetime.now(UTC) - ago)


def test_our_message_ids_name_their_conversation() -> None:
    mid = make_message_id(42, "mail.peyk.example")
    assert mid.startswith("<peyk.c42.") and mid.endswith("@mail.peyk.example>")
    assert conversation_id_from_message_id(mid) == 42
    assert conversation_id_from_message_id("<CAF=abc@mail.gmail.com>") is None
    assert make_message_id(42, "h") != make_message_id(42, "h")


def test_tags_in_addresses_and_subjects_are_read_in_any_digit_set() -> None:
    assert conversation_id_from_tag("c123") == 123
    assert conversation_id_from_tag("x123") is None
    assert case_number_from_subject("Re: خرابی کولر [#1405-00042]") == "1405-00042"
    assert case_number_from_subject("پاسخ [#۱۴۰۵-۰۰۰۴۲]") == "1405-00042"
    assert case_number_from_subject("no tag here #1405-00042") is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (telegram(5001, "سلام"), telegram(5001, "هنوز هستید؟")),
        (sms("09121234567", "سلام"), sms("۰۹۱۲ ۱۲۳ ۴۵۶۷", "ادامه")),
    ],
    ids=["telegram chat", "sms number in two spellings"],
)
async def test_a_chat_continues_its_open_conversation(db: str, first: InboundMessage, second: InboundMessage) -> None:
    one = await ingest_message(first)
    two = await ingest_message(second)
    assert two.conversation.id == one.conversation.id
    assert two.conversation.status == ConversationStatus.BOT


@pytest.mark.parametrize(
    ("channel", "status"),
    [
        (Channel.TELEGRAM, ConversationStatus.BOT),
        (Channel.BALE, ConversationStatus.BOT),
        (Channel.SMS, ConversationStatus.BOT),
        (Channel.EMAIL, ConversationStatus.OPEN),
        (Channel.FAX, ConversationStatus.OPEN),
        (Channel.CALL, ConversationStatus.OPEN),
    ],
)
async def test_new_conversations_start_with_the_bot_only_on_bot_channels(
    db: str, channel: Channel, status: ConversationStatus
) -> None:
    kind = {
        Channel.TELEGRAM: IdentityKind.TELEGRAM,
        Channel.BALE: IdentityKind.BALE,
        Channel.EMAIL: IdentityKind.EMAIL,
        Channel.FAX: IdentityKind.FAX,
    }.get(channel, IdentityKind.PHONE)
    value = {IdentityKind.TELEGRAM: "61", IdentityKind.BALE: "62", IdentityKind.EMAIL: CUSTOMER}.get(
        kind, "02188776655"
    )
    msg = InboundMessage(channel=channel, external_id="x-1", identity_kind=kind, identity_value=value, text="سلام")
    result = await ingest_message(msg)
    assert result.conversation.status == status


async def test_a_closed_conversation_is_never_continued(db: str) -> None:
    one = await ingest_message(telegram(5002, "سلام"))
    await set_status(one.conversation.id, ConversationStatus.CLOSED, by=None)
    two = await ingest_message(telegram(5002, "دوباره سلام"))
    assert two.conversation.id != one.conversation.id
    assert two.conversation.status == ConversationStatus.BOT


async def test_a_resolved_chat_reopens_with_the_bot_inside_the_window(db: str) -> None:
    one = await ingest_message(telegram(5003, "سلام"))
    await _resolve(one.conversation.id, ago=timedelta(days=6))
    two = await ingest_message(telegram(5003, "باز هم مشکل دارم"), reopen_window=WEEK)
    assert two.conversation.id == one.conversation.id
    assert two.conversation.status == ConversationStatus.BOT
    assert (await Conversation.get(id=one.conversation.id)).resolved_at is None


async def test_a_resolved_chat_starts_a_new_conversation_after_the_window(db: str) -> None:
    one = await ingest_message(telegram(5004, "سلام"))
    await _resolve(one.conversation.id, ago=timedelta(days=8))
    two = await ingest_message(telegram(5004, "سلام دوباره"), reopen_window=WEEK)
    assert two.conversation.id != one.conversation.id
    assert (await Conversation.get(id=one.conversation.id)).status == ConversationStatus.RESOLVED


async def test_the_reopen_window_is_configurable(db: str) -> None:
    one = await ingest_message(sms("09121234567", "سلام"))
    await _resolve(one.conversation.id, ago=timedelta(hours=2))
    two = await ingest_message(sms("09121234567", "باز"), reopen_window=timedelta(hours=1))
    assert two.conversation.id != one.conversation.id


async def test_a_pending_conversation_is_open_again_when_the_customer_answers(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    await set_status(one.conversation.id, ConversationStatus.PENDING, by=None)
    two = await ingest_message(email(CUSTOMER, "Re: خرابی", in_reply_to=one.message.email_message_id))
    assert two.conversation.id == one.conversation.id
    assert two.conversation.status == ConversationStatus.OPEN


async def test_a_resolved_email_thread_reopens_as_open_inside_the_window(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    await _resolve(one.conversation.id, ago=timedelta(days=1))
    two = await ingest_message(email(CUSTOMER, "Re: خرابی", in_reply_to=one.message.email_message_id))
    assert two.conversation.id == one.conversation.id
    assert two.conversation.status == ConversationStatus.OPEN


async def test_email_without_thread_keys_opens_a_new_conversation(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "موضوع اول"))
    two = await ingest_message(email(CUSTOMER, "موضوع دوم"))
    assert two.conversation.id != one.conversation.id
    assert two.conversation.subject == "موضوع دوم"


async def test_email_threads_by_in_reply_to(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    two = await ingest_message(email(CUSTOMER, "Re: خرابی", in_reply_to=one.message.email_message_id))
    assert two.conversation.id == one.conversation.id


async def test_email_threads_by_references_when_in_reply_to_is_lost(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی", message_id="<root-1@customer.example>"))
    two = await ingest_message(
        email(CUSTOMER, "Re: خرابی", references=("<root-1@customer.example>", "<gone@elsewhere.example>"))
    )
    assert two.conversation.id == one.conversation.id


async def test_a_colleague_on_cc_answering_a_stored_message_id_continues_the_thread(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    two = await ingest_message(email("boss@customer.example", "Re: خرابی", in_reply_to=one.message.email_message_id))
    assert two.conversation.id == one.conversation.id
    assert two.conversation.contact_id == one.contact.id
    assert two.message.meta["sender"]["contact_id"] == two.contact.id != one.contact.id


async def test_email_threads_by_the_message_id_of_our_reply(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    reply = await send_reply(one.conversation.id, "بررسی می‌کنیم.", by=None)
    outbound = await OutboundMessage.get(message_id=reply.id)
    two = await ingest_message(email(CUSTOMER, "Re: خرابی", in_reply_to=outbound.payload["message_id"]))
    assert two.conversation.id == one.conversation.id


async def test_email_threads_by_our_message_id_format_even_when_not_stored(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    mid = make_message_id(one.conversation.id, "peyk.example")
    two = await ingest_message(email(CUSTOMER, "Re: یادآوری", in_reply_to=mid))
    assert two.conversation.id == one.conversation.id


async def test_email_threads_by_the_plus_address_tag(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    two = await ingest_message(email(CUSTOMER, "سؤال دیگر", thread_tag=f"c{one.conversation.id}"))
    assert two.conversation.id == one.conversation.id


async def test_email_threads_by_the_case_number_in_the_subject(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    case = await open_case(contact_id=one.contact.id, by=None, conversation_id=one.conversation.id)
    two = await ingest_message(email(CUSTOMER, f"پیگیری [#{case.number}]"))
    assert two.conversation.id == one.conversation.id


async def test_a_case_tag_without_a_conversation_gives_the_case_this_thread(db: str) -> None:
    first = await ingest_message(sms("09121234567", "سلام"))
    case = await open_case(contact_id=first.contact.id, by=None)
    await add_identity(first.contact.id, IdentityKind.EMAIL, "kian2@customer.example")
    two = await ingest_message(email("kian2@customer.example", f"درباره [#{case.number}]"))
    assert (await Case.get(id=case.id)).conversation_id == two.conversation.id


@pytest.mark.parametrize("key", ["tag", "our-id", "case"])
async def test_guessable_keys_do_not_thread_another_contacts_mail(db: str, key: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    case = await open_case(contact_id=one.contact.id, by=None, conversation_id=one.conversation.id)
    extra = {
        "tag": {"thread_tag": f"c{one.conversation.id}"},
        "our-id": {"in_reply_to": make_message_id(one.conversation.id, "peyk.example")},
        "case": {"subject": f"[#{case.number}]"},
    }[key]
    msg = email("stranger@elsewhere.example", **extra)
    two = await ingest_message(msg)
    assert two.conversation.id != one.conversation.id


async def test_an_auto_reply_is_stored_but_does_not_reopen(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    await _resolve(one.conversation.id)
    auto = email(CUSTOMER, "Out of office", in_reply_to=one.message.email_message_id, automated=True)
    two = await ingest_message(auto)
    assert two.conversation.id == one.conversation.id
    stored = await Conversation.get(id=one.conversation.id)
    assert stored.status == ConversationStatus.RESOLVED and stored.resolved_at is not None


async def test_a_bounce_on_a_closed_thread_is_kept_there_without_opening_anything(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    await set_status(one.conversation.id, ConversationStatus.CLOSED, by=None)
    bounce = email(
        "mailer-daemon@customer.example", "Undelivered", automated=True, references=(one.message.email_message_id,)
    )
    two = await ingest_message(bounce)
    assert two.conversation.id == one.conversation.id
    assert (await Conversation.get(id=one.conversation.id)).status == ConversationStatus.CLOSED


async def test_an_auto_reply_with_no_thread_is_kept_out_of_the_queue(db: str) -> None:
    result = await ingest_message(email(CUSTOMER, "Automatic reply", automated=True))
    assert result.conversation.status == ConversationStatus.RESOLVED
    assert await Conversation.all().count() == 1


async def test_a_reply_to_a_closed_thread_opens_a_new_conversation(db: str) -> None:
    one = await ingest_message(email(CUSTOMER, "خرابی"))
    await set_status(one.conversation.id, ConversationStatus.CLOSED, by=None)
    two = await ingest_message(email(CUSTOMER, "Re: خرابی", in_reply_to=one.message.email_message_id))
    assert two.conversation.id != one.conversation.id
    assert two.conversation.status == ConversationStatus.OPEN
