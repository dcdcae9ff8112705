"""Staff replies on email conversations, sent through the outbox to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.dispatcher import Dispatcher
from channels.email_out import EmailSender, email_senders
from channels.email_parse import header_text, parse_inbound, read_email
from core.actions.dispatch import RetryPolicy
from core.actions.outbox import send_reply
from core.actions.staff import create_user
from core.config import Settings
from core.errors import ConfigError
from core.models import Channel, Conversation, Message, MessageStatus, OutboundMessage, OutboxStatus
from tests.support.faxdocs import make_pdf
from tests.support.mail import MAIL_FROM, MailWorld, SmtpSink, eventually, load_eml, mail_world, with_headers

FIRST = load_eml("email/persian_utf8_plain.eml")
FIRST_ID = "<CAGk8w3pQ+Zx7d1f_6p9Rr2mAq0hV0sY2vTm5=Lr1XK9uFJ4n2Q@mail.gmail.com>"
FAST = RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=8)


@pytest.fixture
async def world(db: str, tmp_path: Path) -> AsyncIterator[MailWorld]:
    async with mail_world(tmp_path) as w:
        yield w


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    server = await SmtpSink().start()
    yield server
    await server.close()


async def _dispatching(world: MailWorld, sink: SmtpSink) -> Dispatcher:
    sender = EmailSender(sink.url, MAIL_FROM, data_dir=world.data_dir, timeout=10)
    dispatcher = Dispatcher({Channel.EMAIL: sender}, poll_interval=0.05, retry=FAST)
    await dispatcher.start()
    return dispatcher


async def test_staff_reply_reaches_the_smtp_server_threaded_with_a_persian_subject(
    world: MailWorld, sink: SmtpSink
) -> None:
    await world.send(FIRST)
    conversation = await Conversation.get()
    agent = await create_user("maryam", "a-long-password", full_name="مریم")
    pdf = make_pdf(1)
    text = "سلام،\nکارشناس ما فردا مراجعه می‌کند."
    ours = await send_reply(conversation.id, text, by=agent, attachments=[("فاکتور.pdf", "application/pdf", pdf)])
    dispatcher = await _dispatching(world, sink)
    try:
        (envelope,) = await sink.wait_for(1)
    finally:
        await dispatcher.stop()
    assert envelope.mail_from == "support@example.ir"
    assert envelope.rcpt_tos == ["ali.rezaei1368@gmail.com"]
    mail = read_email(envelope.original_content)
    assert header_text(mail, "Message-ID") == ours.email_message_id
    assert header_text(mail, "In-Reply-To") == FIRST_ID
    assert mail["References"].split()[-1] == FIRST_ID
    assert mail["Reply-To"] == f"support+c{conversation.id}@example.ir"
    assert header_text(mail, "Subject") == "Re: خرابی دستگاه کپی"
    assert header_text(mail, "From") == "پشتیبانی <support@example.ir>"
    raw_head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
    assert raw_head.isascii() and b"=?utf-8?" in raw_head  # RFC 2047, readable by every client
    received = parse_inbound(envelope.original_content)
    assert received.text == "سلام،\nکارشناس ما فردا مراجعه می‌کند."
    assert received.html is not None and "کارشناس ما" in received.html
    assert [(a.name, a.data) for a in received.attachments] == [("فاکتور.pdf", pdf)]
    row = await OutboundMessage.get(message_id=ours.id)
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, ours.email_message_id)
    assert (await Message.get(id=ours.id)).status == MessageStatus.SENT

    # The customer's client answers what it received: the answer lands in the same conversation.
    answer = with_headers(
        FIRST,
        Message_ID="<answer-1@mail.gmail.com>",
        In_Reply_To=mail["Message-ID"],
        References=f"{FIRST_ID} {mail['Message-ID']}",
        Subject="Re: خرابی دستگاه کپی",
    )
    await world.send(answer)
    reply = await Message.get(external_id="<answer-1@mail.gmail.com>")
    assert reply.conversation_id == conversation.id


async def test_a_failing_smtp_server_is_retried_until_it_accepts_and_the_mail_goes_once(
    world: MailWorld, sink: SmtpSink
) -> None:
    await world.send(FIRST)
    conversation = await Conversation.get()
    ours = await send_reply(conversation.id, "پاسخ", by=None)
    sink.handler.fail_with = "451 4.3.0 Try again later"
    dispatcher = await _dispatching(world, sink)
    try:

        async def retried() -> bool:
            row = await OutboundMessage.get(message_id=ours.id)
            return row.attempts >= 2 and row.status == OutboxStatus.QUEUED

        await eventually(retried)
        assert "451" in ((await OutboundMessage.get(message_id=ours.id)).error or "")
        sink.handler.fail_with = None
        await sink.wait_for(1)

        async def sent() -> bool:
            return (await OutboundMessage.get(message_id=ours.id)).status == OutboxStatus.SENT

        await eventually(sent)
    finally:
        await dispatcher.stop()
    assert len(sink.received) == 1


async def test_a_permanently_refused_mail_fails_with_the_servers_reason(world: MailWorld, sink: SmtpSink) -> None:
    await world.send(FIRST)
    conversation = await Conversation.get()
    ours = await send_reply(conversation.id, "پاسخ", by=None)
    sink.handler.fail_with = "554 5.7.1 Message rejected as spam"
    dispatcher = await _dispatching(world, sink)
    try:

        async def failed() -> bool:
            return (await OutboundMessage.get(message_id=ours.id)).status == OutboxStatus.FAILED

        await eventually(failed)
    finally:
        await dispatcher.stop()
    row = await OutboundMessage.get(message_id=ours.id)
    assert row.attempts == 1 and "554" in (row.error or "")
    assert (await Message.get(id=ours.id)).status == MessageStatus.FAILED


async def test_smtp_server_down_is_a_transient_failure(world: MailWorld) -> None:
    await world.send(FIRST)
    conversation = await Conversation.get()
    ours = await send_reply(conversation.id, "پاسخ", by=None)
    row = await OutboundMessage.get(message_id=ours.id)
    sender = EmailSender("smtp://127.0.0.1:9?starttls=false", MAIL_FROM, timeout=5)
    from channels.base import TransientSendError

    with pytest.raises(TransientSendError):
        await sender.send(row)


def test_email_senders_follow_the_settings(tmp_path: Path) -> None:
    base = {"secret_key": "k" * 32, "data_dir": tmp_path}
    assert email_senders(Settings(**base)) == {}
    senders = email_senders(Settings(**base, smtp_url="smtp://127.0.0.1:25", mail_from="support@example.ir"))
    assert isinstance(senders[Channel.EMAIL], EmailSender)
    with pytest.raises(ConfigError):
        email_senders(Settings(**base, smtp_url="smtp://127.0.0.1:25"))
