"""Mail into the built-in SMTP listener over a real SMTP session on 127.0.0.1, stored on the right contact."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from channels.email_intake import MailRules
from core import attachments
from core.actions.outbox import send_reply
from core.actions.staff import create_user
from core.models import (
    Alarm,
    Attachment,
    Channel,
    ContactIdentity,
    Conversation,
    IdentityKind,
    Message,
    OutboundMessage,
)
from tests.support.mail import MailWorld, load_eml, mail_world, send_mail, with_headers

FIRST = load_eml("email/persian_utf8_plain.eml")
FIRST_ID = "<CAGk8w3pQ+Zx7d1f_6p9Rr2mAq0hV0sY2vTm5=Lr1XK9uFJ4n2Q@mail.gmail.com>"


@pytest.fixture
async def world(db: str, tmp_path: Path) -> AsyncIterator[MailWorld]:
    async with mail_world(tmp_path, size_limit=200_000) as w:
        yield w


def queued(answer: str) -> bool:
    """The listener's 250 text once a mail is durably spooled."""
    return re.fullmatch(r"2\.0\.0 OK: queued as \d{19}-\d{6}-\d+", answer) is not None


async def test_mail_sent_over_smtp_shows_up_on_the_senders_contact(world: MailWorld) -> None:
    answer = await world.send(FIRST, sender="ali.rezaei1368@gmail.com")  # waits for the spool worker
    assert queued(answer)
    assert world.spool.pending() == []
    message = await Message.get(external_id=FIRST_ID)
    identity = await ContactIdentity.get(kind=IdentityKind.EMAIL, value="ali.rezaei1368@gmail.com")
    conversation = await Conversation.get(id=message.conversation_id)
    assert conversation.contact_id == identity.contact_id
    assert (conversation.channel, message.channel) == (Channel.EMAIL, Channel.EMAIL)
    assert message.subject == "خرابی دستگاه کپی"
    assert "کاغذ گیر می‌کند" in message.text
    assert message.email_message_id == FIRST_ID
    assert (await identity.contact).display_name == "علی رضایی"


async def test_the_same_mail_again_stores_nothing_new(world: MailWorld) -> None:
    assert queued(await world.send(FIRST))
    assert queued(await world.send(FIRST))
    assert world.spool.pending() == []
    assert await Message.filter(channel=Channel.EMAIL).count() == 1
    assert await Conversation.all().count() == 1


async def test_a_recipient_outside_our_domain_gets_550_and_nothing_is_stored(world: MailWorld) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await send_mail(world.port, FIRST, recipients=("someone@gmail.com",))
    assert [r.code for r in refused.value.recipients] == [550]
    await world.drain()
    assert world.spool.pending() == []
    assert await Message.all().count() == 0


async def test_good_recipients_are_kept_when_another_one_is_refused(world: MailWorld) -> None:
    refused, answer = await send_mail(world.port, FIRST, recipients=("relay@elsewhere.com", "sales@example.ir"))
    assert refused["relay@elsewhere.com"].code == 550
    assert queued(answer)
    await world.drain()
    assert await Message.all().count() == 1


async def test_oversized_mail_is_refused_with_552(world: MailWorld) -> None:
    big = with_headers(FIRST, Message_ID="<big@gmail.com>") + (b"A" * 76 + b"\n") * 4000
    with pytest.raises(aiosmtplib.SMTPResponseException) as declared:  # SIZE= announced in MAIL FROM
        await send_mail(world.port, big)
    assert declared.value.code == 552
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=world.port, start_tls=False) as client:
        await client.mail("customer@example.com")  # no SIZE: refused once the data is in
        await client.rcpt("support@example.ir")
        with pytest.raises(aiosmtplib.SMTPDataError) as sent:
            await client.data(big)
    assert sent.value.code == 552
    await world.drain()
    assert world.spool.pending() == []
    assert await Message.all().count() == 0


async def test_customer_reply_threads_by_in_reply_to_and_by_plus_address(world: MailWorld) -> None:
    await world.send(FIRST)
    conversation = await Conversation.get()
    agent = await create_user("maryam", "a-long-password", full_name="مریم")
    ours = await send_reply(conversation.id, "سلام، کارشناس فردا می‌آید.", by=agent)
    assert ours.email_message_id and ours.email_message_id.startswith(f"<peyk.c{conversation.id}.")
    by_header = with_headers(FIRST, Message_ID="<reply-1@mail.gmail.com>", In_Reply_To=ours.email_message_id)
    by_plus = with_headers(FIRST, Message_ID="<reply-2@mail.gmail.com>", To=f"support+c{conversation.id}@example.ir")
    fresh = with_headers(FIRST, Message_ID="<new-topic@mail.gmail.com>", Subject="موضوع تازه")
    await world.send(by_header)
    await world.send(by_plus, recipients=(f"support+c{conversation.id}@example.ir",))
    await world.send(fresh)
    threaded = await Message.filter(external_id__in=["<reply-1@mail.gmail.com>", "<reply-2@mail.gmail.com>"])
    assert {m.conversation_id for m in threaded} == {conversation.id}
    other = await Message.get(external_id="<new-topic@mail.gmail.com>")
    assert other.conversation_id != conversation.id


async def test_html_with_script_and_onerror_is_stored_sanitized_with_its_inline_image(world: MailWorld) -> None:
    await world.send(load_eml("email/html_only_script.eml"))
    message = await Message.get()
    assert message.html is not None
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "track.example.com", "<iframe", "<form"):
        assert bad not in message.html.lower()
    assert 'src="cid:logo@parsian"' in message.html
    assert "سلام، فاکتور را ببینید." in message.text
    (image,) = await Attachment.filter(message_id=message.id)
    assert (image.content_id, image.mime_type) == ("logo@parsian", "image/png")
    assert attachments.path_for(image.sha256, world.data_dir).read_bytes().startswith(b"\x89PNG")


async def test_attachments_are_stored_with_their_persian_names(world: MailWorld) -> None:
    await world.send(load_eml("email/multipart_attachment.eml"))
    (pdf,) = await Attachment.all()
    assert (pdf.name, pdf.mime_type) == ("پیش‌فاکتور.pdf", "application/pdf")
    assert attachments.path_for(pdf.sha256, world.data_dir).read_bytes().startswith(b"%PDF")


async def test_windows_1256_and_iso_8859_6_mail_arrive_readable(world: MailWorld) -> None:
    await world.send(load_eml("email/windows1256_qp.eml"))
    await world.send(load_eml("email/iso8859_6.eml"))
    texts = {m.subject: m.text for m in await Message.all()}
    assert "چاپگر ما گاهی ژام کاغذ می دهد" in texts["پیش فاکتور و قیمت تونر"]
    assert "نرجو ارسال کاتالوج" in texts["طلب کاتالوج"]


async def test_an_unparseable_mail_is_kept_for_review_and_the_next_one_still_arrives(world: MailWorld) -> None:
    bad = with_headers(FIRST, From=None, Message_ID="<no-sender@x>")
    assert queued(await world.send(bad))  # 250: the mail is ours; the worker keeps it for review
    assert world.spool.pending() == []
    assert await Message.all().count() == 0
    (alarm,) = await Alarm.filter(kind="mail_unparsed")
    sha = alarm.key.removeprefix("mail_unparsed:")
    assert attachments.path_for(sha, world.data_dir).read_bytes() == bad.replace(b"\n", b"\r\n")
    assert sha in alarm.text and "بررسی" in alarm.text
    assert queued(await world.send(FIRST))
    assert await Message.filter(external_id=FIRST_ID).count() == 1


async def test_a_store_failure_is_answered_250_and_the_mail_waits_in_the_spool(db: str, tmp_path: Path) -> None:
    async def broken_ingest(*args: object, **kwargs: object) -> None:
        raise ConnectionError("database is down")

    # The one mock-like seam: forcing the rare failure of the store behind the spool.
    async with mail_world(tmp_path, rules=MailRules(data_dir=tmp_path / "data"), retry_first=60) as world:
        world.intake.ingest = broken_ingest  # type: ignore[assignment]
        answer = await world.send(FIRST, settle=False)
        assert queued(answer)
        mail_id = answer.rsplit(" ", 1)[1]
        await asyncio.sleep(0.3)  # the worker tried, failed, and keeps the file for a retry
        assert world.spool.pending() == [mail_id]
        assert world.spool.read(mail_id).raw == FIRST.replace(b"\n", b"\r\n")
    assert await Message.all().count() == 0
    assert world.spool.pending() == [mail_id]  # closing leaves it for the next start


async def test_a_spool_write_failure_answers_451_so_the_sender_retries(
    world: MailWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # forcing the rare failure of the spool's disk
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await send_mail(world.port, FIRST)
    assert refused.value.code == 451
    monkeypatch.undo()
    assert list(world.spool.directory.iterdir()) == []
    await world.drain()
    assert await Message.all().count() == 0


async def test_auto_reply_and_bounce_are_stored_but_never_reopen_or_get_an_answer(world: MailWorld) -> None:
    from core.actions.conversations import set_status
    from core.models import ConversationStatus

    await world.send(FIRST)
    conversation = await Conversation.get()
    agent = await create_user("maryam", "a-long-password")
    ours = await send_reply(conversation.id, "پاسخ ما", by=agent)
    await set_status(conversation.id, ConversationStatus.RESOLVED, by=agent)
    queued = await OutboundMessage.all().count()
    auto = with_headers(
        load_eml("email/auto_reply_outlook.eml"),
        From="Ali <ali.rezaei1368@gmail.com>",
        In_Reply_To=ours.email_message_id,
        References=ours.email_message_id,
    )
    original = b"<peyk.c7.k2m9x4q1@example.ir>"  # the bounce returns our reply's headers
    bounce = load_eml("email/bounce_report.eml").replace(original, ours.email_message_id.encode())
    await world.send(auto)
    await world.send(bounce, sender="")
    stored = await Message.filter(conversation_id=conversation.id, direction="in").order_by("id")
    assert [m.meta.get("automated") for m in stored] == [None, True, True]
    assert stored[2].meta["bounce"]["recipient"] == "no.such.user@chmail.ir"
    conversation = await Conversation.get(id=conversation.id)
    assert conversation.status == ConversationStatus.RESOLVED
    assert await OutboundMessage.all().count() == queued
    assert await Conversation.all().count() == 1


async def test_a_colleagues_bcc_copy_lands_on_the_customer_without_reopening(world: MailWorld) -> None:
    from core.actions.conversations import set_status
    from core.models import ConversationStatus

    await world.send(FIRST)
    conversation = await Conversation.get()
    await set_status(conversation.id, ConversationStatus.RESOLVED, by=None)
    copy = with_headers(
        FIRST,
        From="Mahdi Kazemi <sales.kazemi@example.ir>",
        To="Ali Rezaei <ali.rezaei1368@gmail.com>",
        Message_ID="<staff-answer-1@example.ir>",
        In_Reply_To=FIRST_ID,
        Subject="Re: خرابی دستگاه کپی",
    )
    await world.send(copy, sender="sales.kazemi@example.ir")
    message = await Message.get(external_id="<staff-answer-1@example.ir>")
    assert message.conversation_id == conversation.id
    assert message.meta["origin"] == "own-copy" and message.meta["from"] == "sales.kazemi@example.ir"
    assert (await Conversation.get(id=conversation.id)).status == ConversationStatus.RESOLVED
    assert not await ContactIdentity.exists(value="sales.kazemi@example.ir")


async def test_a_forward_from_a_colleague_lands_on_the_original_sender(world: MailWorld) -> None:
    await world.send(load_eml("email/forwarded.eml"), sender="sales.kazemi@example.ir")
    message = await Message.get()
    identity = await ContactIdentity.get(kind=IdentityKind.EMAIL)
    assert identity.value == "reza.noori@gmail.com"
    assert (await Conversation.get(id=message.conversation_id)).contact_id == identity.contact_id
    assert message.meta["origin"] == "forwarded"
