"""ingest_message: every inbound message stored exactly once, on the right contact (INB-1, INB-2)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import attachments
from core.actions.inbox import ingest_message, record_edit
from core.events import Event, bus
from core.inbound import InboundAttachment
from core.models import (
    Attachment,
    Channel,
    Contact,
    ContactIdentity,
    Conversation,
    ConversationStatus,
    FileState,
    IdentityKind,
    Message,
)
from tests.support.inbound import sms, telegram

SPELLINGS = [
    "09121234567",
    "9121234567",
    "+989121234567",
    "+98 912 123 4567",
    "00989121234567",
    "989121234567",
    "0912 123 4567",
    "0912-123-4567",
    "(0912) 123-4567",
    "۰۹۱۲۱۲۳۴۵۶۷",
    "٠٩١٢١٢٣٤٥٦٧",
    "+۹۸۹۱۲۱۲۳۴۵۶۷",
    "۰۹۱۲ ۱۲۳ ۴۵۶۷",
    "912-123-4567",
    "0098 912 123 4567",
]


async def test_one_hundred_concurrent_deliveries_of_one_message_store_one_row(db: str) -> None:
    msg = telegram(777001, "سلام، کولر خراب است", message_id=5)
    results = await asyncio.gather(*(ingest_message(msg) for _ in range(100)))
    assert await Message.filter(channel=Channel.TELEGRAM, external_id="777001:5").count() == 1
    assert sum(r.created for r in results) == 1
    assert len({r.message.id for r in results}) == 1
    assert await Contact.all().count() == 1
    assert await Conversation.all().count() == 1


async def test_racing_new_messages_of_one_unknown_sender_make_one_contact_and_conversation(db: str) -> None:
    messages = [telegram(888002, f"پیام {i}", message_id=i) for i in range(20)]
    results = await asyncio.gather(*(ingest_message(m) for m in messages))
    assert all(r.created for r in results)
    assert await Message.all().count() == 20
    assert await Contact.all().count() == 1
    assert await ContactIdentity.filter(kind=IdentityKind.TELEGRAM, value="888002").count() == 1
    assert await Conversation.all().count() == 1


async def test_a_duplicate_delivery_returns_the_stored_message_and_emits_nothing(db: str) -> None:
    seen: list[Event] = []
    unsubscribe = bus.subscribe("message.", seen.append)
    try:
        first = await ingest_message(sms("09121234567", "سلام", external_id="kv-1"))
        again = await ingest_message(sms("+989121234567", "سلام", external_id="kv-1"))
    finally:
        unsubscribe()
    assert first.created and not again.created
    assert again.message.id == first.message.id and again.contact.id == first.contact.id
    assert [e.name for e in seen] == ["message.received"]
    assert seen[0].data["message_id"] == first.message.id


async def test_message_received_is_published_after_the_message_is_committed(db: str) -> None:
    found: list[bool] = []

    async def check(event: Event) -> None:
        found.append(await Message.exists(id=event.data["message_id"]))

    unsubscribe = bus.subscribe("message.received", check)
    try:
        await ingest_message(telegram(777003, "سلام"))
    finally:
        unsubscribe()
    assert found == [True]


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_every_phone_spelling_finds_the_same_contact(db: str, spelling: str) -> None:
    first = await ingest_message(sms("09121234567", "اول"))
    later = await ingest_message(sms(spelling, "دوم"))
    assert later.contact.id == first.contact.id
    assert later.conversation.id == first.conversation.id
    assert await ContactIdentity.filter(kind=IdentityKind.PHONE).values_list("value", flat=True) == ["+989121234567"]


async def test_unknown_sender_becomes_a_contact_named_as_they_call_themselves(db: str) -> None:
    result = await ingest_message(telegram(777004, "سلام", sender_name="كيان مقدم"))
    assert result.contact.display_name == "كيان مقدم"
    assert result.contact.name_search == "کیان مقدم"
    assert result.conversation.status == ConversationStatus.BOT


async def test_a_verified_phone_is_linked_to_the_telegram_contact(db: str) -> None:
    result = await ingest_message(telegram(777005, "شماره من", verified_phone="۰۹۱۲۱۲۳۴۵۶۷"))
    phone = await ContactIdentity.get(kind=IdentityKind.PHONE)
    assert phone.contact_id == result.contact.id
    assert phone.value == "+989121234567" and phone.verified


async def test_a_telegram_user_sharing_a_known_phone_joins_that_contact(db: str) -> None:
    by_sms = await ingest_message(sms("09121234567", "سلام از پیامک"))
    by_telegram = await ingest_message(telegram(777006, "سلام از تلگرام", verified_phone="+989121234567"))
    assert by_telegram.contact.id == by_sms.contact.id
    assert await Contact.all().count() == 1
    assert await ContactIdentity.filter(contact_id=by_sms.contact.id).count() == 2


async def test_an_sms_short_code_sender_is_kept_rather_than_refused(db: str) -> None:
    result = await ingest_message(sms("10004346", "پیام سامانه"))
    assert result.created
    assert (await ContactIdentity.get(contact_id=result.contact.id)).value == "10004346"


async def test_text_is_stored_as_sent_and_searchable_normalized(db: str) -> None:
    result = await ingest_message(telegram(777007, "كولر گازي ۱۲ هزار"))
    assert result.message.text == "كولر گازي ۱۲ هزار"
    assert result.message.text_search == "کولر گازی 12 هزار"


async def test_attachments_are_stored_once_by_content(db: str, tmp_path: Path) -> None:
    photo = InboundAttachment(name="photo.jpg", mime_type="image/jpeg", data=b"\xff\xd8 jpeg bytes")
    one = await ingest_message(telegram(777008, "عکس", attachments=(photo,)), data_dir=tmp_path)
    two = await ingest_message(telegram(777008, "دوباره", attachments=(photo,)), data_dir=tmp_path)
    rows = await Attachment.filter(message_id__in=[one.message.id, two.message.id])
    assert len(rows) == 2 and rows[0].sha256 == rows[1].sha256
    assert attachments.read_bytes(rows[0].sha256, tmp_path) == photo.data
    assert len(list((tmp_path / "attachments").rglob("*"))) == 3  # ab/, ab/cd/, ab/cd/<sha256>


async def test_an_oversized_attachment_is_refused_but_the_message_is_kept(db: str, tmp_path: Path) -> None:
    big = InboundAttachment(name="scan.pdf", mime_type="application/pdf", data=b"x" * (attachments.MAX_BYTES + 1))
    result = await ingest_message(telegram(777009, "فایل بزرگ", attachments=(big,)), data_dir=tmp_path)
    assert result.created
    assert not await Attachment.exists(message_id=result.message.id)
    assert result.message.meta["rejected_files"][0]["name"] == "scan.pdf"
    assert "20 MB" in result.message.meta["rejected_files"][0]["reason"]


def test_store_bytes_refuses_a_file_over_twenty_megabytes(tmp_path: Path) -> None:
    with pytest.raises(attachments.AttachmentTooLarge, match="limit is 20 MB"):
        attachments.store_bytes(tmp_path, b"0" * (20 * 1024 * 1024 + 1))


async def test_a_file_to_fetch_later_is_stored_by_reference_and_due_at_once(db: str) -> None:
    voice = InboundAttachment(name="voice.ogg", mime_type="audio/ogg", provider_file_id="AwADBAAD")
    result = await ingest_message(telegram(777010, "", attachments=(voice,)))
    (row,) = await Attachment.filter(message_id=result.message.id)
    assert (row.state, row.provider_file_id, row.sha256, row.name, row.mime_type) == (
        FileState.PENDING,
        "AwADBAAD",
        "",
        "voice.ogg",
        "audio/ogg",
    )
    assert row.fetch_after is not None and row.fetch_after <= datetime.now(UTC)
    assert "pending_files" not in result.message.meta


async def test_an_edited_telegram_message_keeps_its_previous_text(db: str) -> None:
    result = await ingest_message(telegram(777011, "کولر خراب است", message_id=9))
    edited = await record_edit(Channel.TELEGRAM, "777011:9", "کولر و پکیج خراب است")
    assert edited is not None and edited.text == "کولر و پکیج خراب است"
    stored = await Message.get(id=result.message.id)
    assert [p["text"] for p in stored.previous_texts] == ["کولر خراب است"]
    assert stored.edited_at is not None and "پکیج" in stored.text_search
    assert await record_edit(Channel.TELEGRAM, "777011:404", "x") is None


async def test_activity_times_are_updated_by_an_inbound_message(db: str) -> None:
    result = await ingest_message(sms("09121234567", "سلام"))
    conversation = await Conversation.get(id=result.conversation.id)
    assert conversation.last_inbound_at is not None
    assert conversation.last_activity_at == conversation.last_inbound_at
