"""A message on a channel with no configured sender is failed with «کانال پیکربندی نشده», never left queued.

The dispatcher is started the way `run.py` starts it (start_dispatcher over the settings), here with
no SMTP, no Kavenegar and, unless a test gives one, no bot token; replies go through the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from channels.dispatcher import start_dispatcher
from channels.email_parse import parse_inbound
from core.actions.bulk_outbox import queue_bulk
from core.actions.inbox import ingest_message
from core.actions.outbox import queue_bot_reply, queue_notification
from core.config import Settings
from core.errors import ValidationError
from core.models import Channel, Conversation, Message, OutboundMessage, Role
from core.models.enums import AccessScope
from core.outbound_channels import NOT_CONFIGURED
from tests.support.api import ApiServer, api
from tests.support.desk import Desk, desk
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_kavenegar import eventually
from tests.support.inbound import email
from tests.support.mail import load_eml
from tests.support.web import web

__all__ = ["api", "desk", "web"]
TOKEN = "7012345678:AAH-unconfigured-token"
UNFINISHED = ["queued", "held", "sending"]
Starter = Callable[..., Awaitable[None]]


@pytest.fixture
async def dispatcher(db: str, tmp_path: Path) -> AsyncIterator[Starter]:
    """start_dispatcher over settings without SMTP or SMS (extra settings per test); closed afterwards."""
    closers = []

    async def start(**settings: object) -> None:
        base: dict[str, object] = {"database_url": db, "data_dir": tmp_path / "data", "secret_key": "u" * 32}
        closers.append(await start_dispatcher(Settings(**{**base, **settings})))  # type: ignore[arg-type]

    yield start
    for close in closers:
        await close()


async def email_conversation() -> Conversation:
    """The conversation of a real Persian customer mail (tests/fixtures/email)."""
    return (await ingest_message(parse_inbound(load_eml("email/persian_utf8_plain.eml")))).conversation


async def nothing_waits() -> bool:
    return not await OutboundMessage.filter(status__in=UNFINISHED).exists()


async def test_a_reply_by_api_on_an_email_conversation_without_smtp_is_failed_with_the_reason_shown(
    api: ApiServer, dispatcher: Starter
) -> None:
    conversation = await email_conversation()
    await dispatcher()
    client = await api.client_for("sara", role=Role.ADMIN, scope=AccessScope.ALL)
    text = "سلام، سفارش شما فردا ارسال می‌شود."
    answer = await client.post(f"/api/v1/conversations/{conversation.id}/messages", {"text": text})
    assert answer.status == 201
    assert (answer.body["status"], answer.body["text"]) == ("failed", text)  # the typed text is kept
    assert answer.body["error"].startswith(NOT_CONFIGURED) and "ایمیل" in answer.body["error"]
    row = await OutboundMessage.get(message_id=answer.body["id"])
    assert (str(row.status), row.error) == ("failed", answer.body["error"])
    shown = await client.get(f"/api/v1/conversations/{conversation.id}/messages")
    (reply,) = [m for m in shown.body["items"] if m["direction"] == "out"]
    assert (reply["status"], reply["error"]) == ("failed", answer.body["error"])  # what staff see on the thread
    assert await nothing_waits()
    assert (await Conversation.get(id=conversation.id)).first_response_at is None  # the customer got no answer


async def test_a_fax_notice_and_a_bot_reply_on_email_are_failed_at_once_instead_of_queued(dispatcher: Starter) -> None:
    conversation = await email_conversation()
    await dispatcher()
    fax = await queue_notification(Channel.FAX, "02188776655", "پیش‌فاکتور شما آماده است.")
    assert fax is not None
    assert str(fax.status) == "failed" and (fax.error or "").startswith(NOT_CONFIGURED) and "فکس" in (fax.error or "")
    bot = await queue_bot_reply(conversation.id, "پیام شما دریافت شد.")
    assert str(bot.status) == "failed" and (bot.error or "").startswith(NOT_CONFIGURED)
    assert await nothing_waits()


async def test_rows_waiting_on_a_channel_without_a_sender_fail_when_the_dispatcher_starts_and_the_rest_go(
    dispatcher: Starter,
) -> None:
    conversation = await email_conversation()
    early = await queue_bot_reply(conversation.id, "پاسخ پیش از راه‌اندازی")  # no dispatcher yet: queued
    telegram = await queue_notification(Channel.TELEGRAM, "6400000001", "یادآوری نوبت تعمیر")
    assert str(early.status) == "queued" and telegram is not None
    bot_api = await FakeBotApi(TOKEN).start()
    try:
        await dispatcher(telegram_token=TOKEN, telegram_api_url=bot_api.api_url, telegram_max_rate=0)
        message = await Message.get(id=early.id)
        assert str(message.status) == "failed" and (message.error or "").startswith(NOT_CONFIGURED)
        assert str((await OutboundMessage.get(message_id=early.id)).status) == "failed"
        await eventually(lambda: OutboundMessage.filter(id=telegram.id, status="sent").exists())
        assert [c.params["text"] for c in bot_api.sent("sendMessage")] == ["یادآوری نوبت تعمیر"]
    finally:
        await bot_api.stop()


async def test_a_campaign_on_sms_without_kavenegar_is_refused_with_the_reason(dispatcher: Starter) -> None:
    await dispatcher()
    with pytest.raises(ValidationError, match=NOT_CONFIGURED):
        await queue_bulk(Channel.SMS, ["09121234567", "09351112233"], "فروش ویژه پاییزه", kind="campaign")
    assert await OutboundMessage.all().count() == 0


async def test_a_reply_from_the_admin_on_an_email_conversation_without_smtp_says_why_and_keeps_the_text(
    desk: Desk, dispatcher: Starter
) -> None:
    conversation = await desk.ingest(email("maryam@example.ir", "کولر", "کولر صدا می‌دهد"), desk.team_a)
    await dispatcher()
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    text = "همکار ما فردا تماس می‌گیرد."
    assert (await browser.post(f"{path}/reply", {"text": text, "internal": "0"}))[0] == 302
    _, page = await browser.get(path)
    assert "ارسال پاسخ ممکن نشد: " + NOT_CONFIGURED in page  # the flash says why, in Persian
    assert text in page  # the typed reply stays on the thread, failed
    assert "پاسخ در صف ارسال قرار گرفت" not in page
    assert await nothing_waits()
