"""Outbound on Telegram and Bale over loopback: the outbox dispatcher and the Bot API sender against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from channels.base import HoldQueue, PermanentSendError, TransientSendError
from channels.dispatcher import Dispatcher
from channels.telegram_sender import TelegramSender, telegram_senders
from core import attachments
from core.actions.dispatch import RetryPolicy
from core.actions.outbox import queue_bot_reply, send_reply
from core.models import Channel, Contact, Conversation, Message, MessageStatus, OutboundMessage, OutboxStatus, Role
from core.models.enums import AccessScope
from handlers import copy
from tests.support.api import staff
from tests.support.bot_service import BotService, eventually, fakes, fixture, peyk

__all__ = ["fakes", "peyk"]
MARYAM = "5123456789"


@pytest.fixture
async def dispatcher(peyk: BotService) -> AsyncIterator[Dispatcher]:
    """helper-4's outbox dispatcher over the Telegram and Bale senders, polling fast with short backoff."""
    senders = telegram_senders(peyk.settings)
    running = Dispatcher(senders, poll_interval=0.1, retry=RetryPolicy(base_s=0.2, cap_s=1.0, max_attempts=6))
    await running.start()
    yield running
    await running.stop()
    for sender in senders.values():
        await sender.close()


@pytest.fixture
async def sender(peyk: BotService) -> AsyncIterator[TelegramSender]:
    """The Telegram sender alone, with a short read timeout for the hanging-server test."""
    made = TelegramSender(Channel.TELEGRAM, peyk.settings.telegram_token or "", peyk.telegram.api_url, read_timeout=0.5)
    yield made
    await made.close()


async def conversation(peyk: BotService, name: str = "text", channel: str = "telegram") -> Conversation:
    """Store an inbound update through the webhook and return its conversation."""
    assert (await peyk.update(fixture(name), channel)).status == 200
    return await Conversation.get()


def row(text: str, recipient: str = MARYAM, **payload: object) -> OutboundMessage:
    return OutboundMessage(channel=Channel.TELEGRAM, recipient=recipient, payload={"text": text, **payload})


async def test_start_is_greeted_through_the_outbox_and_reaches_the_fake_as_sendmessage(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    peyk.with_dialog()  # the greeting is the dialog engine's (handlers/)
    assert (await peyk.update(fixture("start"))).status == 200
    (call,) = await eventually(lambda: _now(peyk.telegram.sent("sendMessage")))
    assert call.params["chat_id"] == MARYAM
    assert call.params["text"].startswith(copy.GREETING)
    reply = await eventually(lambda: Message.filter(direction="out", status=MessageStatus.SENT).first())
    assert reply.text == call.params["text"]
    assert reply.external_id == f"{MARYAM}:5001"  # the Bot API's message id, in our chat:message form


async def test_a_staff_reply_on_a_telegram_conversation_reaches_the_telegram_fake(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    conv = await conversation(peyk)
    user, _ = await staff("sara", role=Role.ADMIN, scope=AccessScope.ALL)
    await send_reply(conv.id, "سفارش شما فردا ارسال می‌شود.", by=user)
    (call,) = await eventually(lambda: _now(peyk.telegram.sent("sendMessage")))
    assert (call.params["chat_id"], call.params["text"]) == (MARYAM, "سفارش شما فردا ارسال می‌شود.")
    assert peyk.bale.sent("sendMessage") == []


async def test_a_staff_reply_on_a_bale_conversation_reaches_the_bale_fake(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    conv = await conversation(peyk, "bale_text", "bale")
    user, _ = await staff("sara", role=Role.ADMIN, scope=AccessScope.ALL)
    await send_reply(conv.id, "قیمت را برایتان می‌فرستیم.", by=user)
    (call,) = await eventually(lambda: _now(peyk.bale.sent("sendMessage")))
    assert call.params["chat_id"] == "1398765432"
    assert peyk.telegram.sent("sendMessage") == []


async def test_a_429_is_a_transient_error_carrying_retry_after(peyk: BotService, sender: TelegramSender) -> None:
    peyk.telegram.fail("429", method="sendMessage", retry_after=2)
    with pytest.raises(TransientSendError) as info:
        await sender.send(row("سلام"))
    assert info.value.retry_after == 2.0


async def test_after_a_429_the_bot_sends_nothing_to_any_chat_until_retry_after_passes(
    peyk: BotService, sender: TelegramSender
) -> None:
    peyk.telegram.fail("429", method="sendMessage", retry_after=2)
    with pytest.raises(TransientSendError):
        await sender.send(row("سلام"))
    asked = len(peyk.telegram.calls_to("sendMessage"))
    with pytest.raises(TransientSendError, match="paused") as info:
        await sender.send(row("سلام", recipient="6000000001"))  # another chat waits too
    assert 0 < (info.value.retry_after or 0) <= 2.0
    assert len(peyk.telegram.calls_to("sendMessage")) == asked  # the API was not called during the pause


async def test_the_dispatcher_waits_out_retry_after_and_then_delivers_once(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    conv = await conversation(peyk)
    peyk.telegram.fail("429", method="sendMessage", retry_after=2)
    await queue_bot_reply(conv.id, "پاسخ خودکار")
    outbound = await eventually(lambda: OutboundMessage.filter(status=OutboxStatus.SENT).first())
    failed, delivered = peyk.telegram.calls_to("sendMessage")
    assert failed.failed == "429" and delivered.failed is None
    assert delivered.at - failed.at >= 2.0  # never sooner than Telegram asked
    assert outbound.attempts == 2


async def test_a_blocked_user_fails_permanently_is_marked_unreachable_and_gets_no_more_sends(
    peyk: BotService, dispatcher: Dispatcher, sender: TelegramSender
) -> None:
    conv = await conversation(peyk)
    peyk.telegram.fail("403", method="sendMessage")
    first = await queue_bot_reply(conv.id, "پاسخ اول")
    outbound = await eventually(lambda: OutboundMessage.filter(status=OutboxStatus.FAILED).first())
    assert outbound.error and outbound.error.startswith("blocked:") and "blocked by the user" in outbound.error
    await first.refresh_from_db()
    assert first.status == MessageStatus.FAILED and "blocked" in (first.error or "")
    assert (await Contact.get()).unreachable == ["telegram"]
    # Further replies are refused with a clear status, and nothing more reaches Telegram.
    second = await queue_bot_reply(conv.id, "پاسخ دوم")
    assert second.status == MessageStatus.FAILED and "cannot be reached on telegram" in (second.error or "")
    with pytest.raises(PermanentSendError, match="blocked"):
        await sender.send(row("پاسخ سوم"))
    assert len(peyk.telegram.calls_to("sendMessage")) == 1


async def test_long_text_goes_out_as_several_messages_with_the_keyboard_on_the_last(
    peyk: BotService, sender: TelegramSender
) -> None:
    paragraph = "این بخشی از راهنمای استفاده از دستگاه است که مشتری درخواست کرده بود." * 10
    text = "\n".join([paragraph] * 12)
    keyboard = [[{"text": "پیگیری سفارش", "data": "menu:orders"}]]
    delivery = await sender.send(row(text, keyboard=keyboard))
    calls = peyk.telegram.sent("sendMessage")
    assert delivery.parts == len(calls) > 1
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    assert "\n".join(c.params["text"] for c in calls) == text
    assert [("reply_markup" in c.params) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert calls[-1].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "پیگیری سفارش", "callback_data": "menu:orders"}]]
    }
    assert delivery.provider_id == f"{MARYAM}:5001"


async def test_photos_and_documents_are_uploaded_with_the_caption(peyk: BotService, sender: TelegramSender) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    files = [
        {"sha256": attachments.store_bytes(None, png), "name": "plak.png", "mime_type": "image/png"},
        {"sha256": attachments.store_bytes(None, pdf), "name": "فاکتور.pdf", "mime_type": "application/pdf"},
    ]
    delivery = await sender.send(row("پیش‌فاکتور شما", attachments=files))
    (photo,) = peyk.telegram.sent("sendPhoto")
    (document,) = peyk.telegram.sent("sendDocument")
    assert photo.files["photo"][1] == png and photo.params["caption"] == "پیش‌فاکتور شما"
    assert document.files["document"] == ("فاکتور.pdf", pdf) and "caption" not in document.params
    assert peyk.telegram.sent("sendMessage") == [] and delivery.parts == 2


@pytest.mark.parametrize("kind", ["500", "timeout"])
async def test_server_errors_and_timeouts_are_transient(peyk: BotService, sender: TelegramSender, kind: str) -> None:
    peyk.telegram.hang_s = 1.5
    await sender.send(row("گرم کردن اتصال"))  # getMe done: the failure hits sendMessage itself
    peyk.telegram.fail(kind, method="sendMessage")
    with pytest.raises(TransientSendError) as info:
        await sender.send(row("سلام"))
    assert info.value.retry_after is None


async def test_queued_replies_are_all_delivered_once_after_the_api_recovers(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    conv = await conversation(peyk)
    peyk.telegram.fail("500", method="sendMessage", times=4)
    for n in range(3):
        await queue_bot_reply(conv.id, f"پاسخ {n}")
    await eventually(lambda: _count(OutboundMessage.filter(status=OutboxStatus.SENT), 3), timeout=30)
    texts = sorted(c.params["text"] for c in peyk.telegram.sent("sendMessage"))
    assert texts == ["پاسخ 0", "پاسخ 1", "پاسخ 2"]


async def test_chat_not_found_is_permanent_without_marking_anyone_unreachable(
    peyk: BotService, sender: TelegramSender
) -> None:
    await conversation(peyk)
    peyk.telegram.fail("chat_not_found", method="sendMessage")
    with pytest.raises(PermanentSendError, match=r"(?i)chat not found"):
        await sender.send(row("سلام"))
    assert (await Contact.get()).unreachable == []


async def test_a_rejected_token_holds_the_channel_instead_of_burning_retries(peyk: BotService) -> None:
    wrong = TelegramSender(Channel.TELEGRAM, "999:wrong-token", peyk.telegram.api_url)
    try:
        with pytest.raises(HoldQueue, match="token"):
            await wrong.send(row("سلام"))
    finally:
        await wrong.close()


async def _now(value: list[object]) -> list[object]:
    return value


async def _count(query: object, n: int) -> bool:
    return await query.count() == n  # type: ignore[attr-defined]
