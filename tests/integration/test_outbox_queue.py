"""Queueing outbound messages: staff replies, notes, bot replies and notifications (INB-4, INB-5)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core import attachments
from core.actions.cases import open_case
from core.actions.contacts import update_contact
from core.actions.inbox import ingest_message
from core.actions.outbox import queue_bot_reply, queue_notification, send_reply
from core.actions.staff import create_user
from core.errors import Forbidden, ValidationError
from core.models import (
    Attachment,
    AuditLog,
    Channel,
    Conversation,
    ConversationStatus,
    MessageStatus,
    OutboundMessage,
    Role,
    Team,
    User,
)
from core.threading import conversation_id_from_message_id
from tests.support.inbound import email, sms, telegram


async def _agent(name: str = "sara", team: Team | None = None) -> User:
    return await create_user(name, "a-long-password", role=Role.AGENT, team=team)


async def test_a_staff_reply_on_telegram_is_queued_to_the_chat_and_takes_over_from_the_bot(db: str) -> None:
    agent = await _agent()
    inbound = await ingest_message(telegram(9001, "کولر روشن نمی‌شود"))
    assert inbound.conversation.status == ConversationStatus.BOT
    reply = await send_reply(inbound.conversation.id, "  همکاران ما تماس می‌گیرند.  ", by=agent)
    assert reply.status == MessageStatus.QUEUED and reply.author_id == agent.id
    assert reply.text == "همکاران ما تماس می‌گیرند."
    row = await OutboundMessage.get(message_id=reply.id)
    assert (row.channel, row.recipient, row.kind) == (Channel.TELEGRAM, "9001", "reply")
    assert row.payload["text"] == "همکاران ما تماس می‌گیرند."
    conversation = await Conversation.get(id=inbound.conversation.id)
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.first_response_at is not None
    assert await AuditLog.exists(action="message.send", object_id=str(reply.id), user_id=agent.id)


async def test_first_response_time_is_kept_from_the_first_reply(db: str) -> None:
    inbound = await ingest_message(sms("09121234567", "سلام"))
    await send_reply(inbound.conversation.id, "اول", by=None)
    first = (await Conversation.get(id=inbound.conversation.id)).first_response_at
    await send_reply(inbound.conversation.id, "دوم", by=None)
    assert (await Conversation.get(id=inbound.conversation.id)).first_response_at == first


async def test_an_internal_note_queues_nothing(db: str) -> None:
    agent = await _agent()
    inbound = await ingest_message(telegram(9002, "سلام"))
    note = await send_reply(inbound.conversation.id, "مشتری قدیمی است", by=agent, internal=True)
    assert note.internal and note.status == MessageStatus.NOTE
    assert not await OutboundMessage.exists()
    assert (await Conversation.get(id=inbound.conversation.id)).status == ConversationStatus.BOT


async def test_an_sms_reply_goes_to_the_number_in_e164(db: str) -> None:
    inbound = await ingest_message(sms("۰۹۱۲ ۱۲۳ ۴۵۶۷", "سلام"))
    reply = await send_reply(inbound.conversation.id, "سلام، بفرمایید.", by=None)
    assert (await OutboundMessage.get(message_id=reply.id)).recipient == "+989121234567"


async def test_an_email_reply_carries_subject_and_thread_headers(db: str) -> None:
    inbound = await ingest_message(email("Kian@Customer.example", "خرابی کولر", message_id="<m1@customer.example>"))
    case = await open_case(contact_id=inbound.contact.id, by=None, conversation_id=inbound.conversation.id)
    reply = await send_reply(inbound.conversation.id, "پیگیری می‌کنیم.", by=None)
    row = await OutboundMessage.get(message_id=reply.id)
    assert row.recipient == "kian@customer.example"
    assert row.payload["subject"] == f"Re: خرابی کولر [#{case.number}]"
    assert row.payload["in_reply_to"] == "<m1@customer.example>"
    assert row.payload["references"] == ["<m1@customer.example>"]
    assert conversation_id_from_message_id(row.payload["message_id"]) == inbound.conversation.id
    assert reply.email_message_id == row.payload["message_id"]


async def test_reply_attachments_are_stored_and_listed_for_the_sender(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "_data_dir", tmp_path)  # what bootstrap's configure(data_dir) sets
    inbound = await ingest_message(telegram(9003, "فاکتور را بفرستید"))
    reply = await send_reply(
        inbound.conversation.id, "پیوست شد.", by=None, attachments=[("f.pdf", "application/pdf", b"%PDF")]
    )
    stored = await Attachment.get(message_id=reply.id)
    assert attachments.read_bytes(stored.sha256, tmp_path) == b"%PDF"
    payload = (await OutboundMessage.get(message_id=reply.id)).payload
    assert payload["attachments"] == [
        {"sha256": stored.sha256, "name": "f.pdf", "mime_type": "application/pdf", "size": 4}
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
async def test_an_empty_reply_is_refused(db: str, text: str) -> None:
    inbound = await ingest_message(telegram(9004, "سلام"))
    with pytest.raises(ValidationError, match="empty"):
        await send_reply(inbound.conversation.id, text, by=None)
    assert not await OutboundMessage.exists()


async def test_opting_out_of_marketing_sms_still_lets_staff_answer_the_customer(db: str) -> None:
    inbound = await ingest_message(sms("09121234567", "لغو"))
    await update_contact(inbound.contact.id, by=None, sms_opt_out=True)
    reply = await send_reply(inbound.conversation.id, "سلام، درخواست شما ثبت شد.", by=None)
    assert reply.status == MessageStatus.QUEUED
    assert await OutboundMessage.filter(message_id=reply.id, kind="reply").exists()


async def test_a_reply_to_a_contact_unreachable_on_telegram_is_refused(db: str) -> None:
    inbound = await ingest_message(telegram(9005, "سلام"))
    await update_contact(inbound.contact.id, by=None, unreachable=["telegram"])
    with pytest.raises(ValidationError, match="cannot be reached on telegram"):
        await send_reply(inbound.conversation.id, "سلام", by=None)


async def test_an_agent_cannot_reply_on_another_teams_conversation(db: str) -> None:
    sales, service = await Team.create(name="فروش"), await Team.create(name="خدمات")
    agent = await _agent(team=sales)
    inbound = await ingest_message(telegram(9006, "سلام"))
    await Conversation.filter(id=inbound.conversation.id).update(team_id=service.id)
    with pytest.raises(Forbidden):
        await send_reply(inbound.conversation.id, "سلام", by=agent)


async def test_a_bot_reply_is_queued_with_its_keyboard_and_keeps_the_bot_in_charge(db: str) -> None:
    inbound = await ingest_message(telegram(9007, "/start"))
    keyboard = {"inline_keyboard": [[{"text": "درخواست خدمات", "callback_data": "service"}]]}
    reply = await queue_bot_reply(inbound.conversation.id, "لطفاً انتخاب کنید:", keyboard=keyboard)
    row = await OutboundMessage.get(message_id=reply.id)
    assert row.kind == "bot" and row.payload["keyboard"] == keyboard
    conversation = await Conversation.get(id=inbound.conversation.id)
    assert conversation.status == ConversationStatus.BOT and conversation.first_response_at is None


async def test_a_bot_reply_to_a_blocked_user_is_kept_as_failed_without_a_send(db: str) -> None:
    inbound = await ingest_message(telegram(9008, "سلام"))
    await update_contact(inbound.contact.id, by=None, unreachable=["telegram"])
    reply = await queue_bot_reply(inbound.conversation.id, "سلام")
    assert reply.status == MessageStatus.FAILED and "telegram" in (reply.error or "")
    assert not await OutboundMessage.exists()


async def test_a_notification_with_a_dedupe_key_is_queued_once(db: str) -> None:
    first = await queue_notification(Channel.SMS, "۰۹۱۲۱۲۳۴۵۶۷", "یادآوری قسط", dedupe_key="inst:1:3d")
    again = await queue_notification(Channel.SMS, "09121234567", "یادآوری قسط", dedupe_key="inst:1:3d")
    assert first is not None and first.recipient == "+989121234567" and first.message_id is None
    assert again is None
    assert await OutboundMessage.all().count() == 1


async def test_concurrent_notifications_with_one_dedupe_key_queue_one_row(db: str) -> None:
    rows = await asyncio.gather(
        *(
            queue_notification(Channel.EMAIL, "Boss@Example.ir", "هشدار", kind="alarm", dedupe_key="sla:7")
            for _ in range(20)
        )
    )
    assert sum(r is not None for r in rows) == 1
    row = await OutboundMessage.get(dedupe_key="sla:7")
    assert (row.recipient, row.kind, row.payload["text"]) == ("boss@example.ir", "alarm", "هشدار")


async def test_a_notification_to_an_invalid_number_is_refused(db: str) -> None:
    with pytest.raises(ValidationError):
        await queue_notification(Channel.SMS, "12", "سلام")
