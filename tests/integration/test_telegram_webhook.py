"""POST /hooks/telegram and /hooks/bale over loopback: stored once, before the answer, on the right contact."""

from __future__ import annotations

import asyncio
import hashlib
import json

import aiohttp
import pytest

from core import attachments
from core.models import (
    Attachment,
    Channel,
    Contact,
    ContactIdentity,
    Conversation,
    FileState,
    IdentityKind,
    InboundReceipt,
    Message,
    Role,
)
from core.models.enums import AccessScope
from tests.support.api import staff
from tests.support.bot_service import SECRET, BotService, eventually, fakes, fixture, peyk

__all__ = ["fakes", "peyk"]
MARYAM = "5123456789"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"


async def stored() -> tuple[int, int]:
    return await Message.all().count(), await InboundReceipt.all().count()


async def test_webhook_is_set_on_start_with_the_secret_and_the_update_kinds_we_handle(peyk: BotService) -> None:
    hook = peyk.telegram.webhook
    assert hook["url"] == "https://peyk.example.ir/hooks/telegram"
    assert hook["secret_token"] == SECRET
    assert set(hook["allowed_updates"]) == {"message", "edited_message", "callback_query", "my_chat_member"}
    assert peyk.bale.webhook["url"] == "https://peyk.example.ir/hooks/bale"


async def test_a_text_update_shows_up_in_the_api_as_a_message_on_the_right_contact_and_conversation(
    peyk: BotService,
) -> None:
    answer = await peyk.update(fixture("text"))
    assert answer.status == 200 and answer.body["status"] == "stored"
    # Answered after commit: the rows are already there when the response arrives.
    message = await Message.get(channel=Channel.TELEGRAM, external_id=f"{MARYAM}:101")
    identity = await ContactIdentity.get(kind=IdentityKind.TELEGRAM, value=MARYAM)
    conversation = await Conversation.get(id=message.conversation_id)
    assert conversation.contact_id == identity.contact_id
    assert (conversation.channel, conversation.thread_key) == (Channel.TELEGRAM, MARYAM)
    _, token = await staff("admin1", role=Role.ADMIN, scope=AccessScope.ALL)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{peyk.url}/api/v1/conversations/{conversation.id}/messages") as r:
            assert r.status == 200
            body = await r.json()
    items = body["items"] if isinstance(body, dict) else body
    assert [(m["id"], m["text"], m["direction"]) for m in items] == [(message.id, "سلام، سفارش من کی می‌رسد؟", "in")]


async def test_the_same_update_again_stores_nothing_new(peyk: BotService) -> None:
    assert (await peyk.update(fixture("text"))).status == 200
    again = await peyk.update(fixture("text"))
    assert again.status == 200 and again.body["status"] == "duplicate"
    # The same message under a new update id (a redelivery after a restart) is deduped on the message.
    moved = {**fixture("text"), "update_id": 912349999}
    assert (await peyk.update(moved)).body["status"] == "duplicate"
    assert await Message.all().count() == 1
    assert await Contact.all().count() == 1


async def test_concurrent_deliveries_of_one_update_store_one_message(peyk: BotService) -> None:
    answers = await asyncio.gather(*(peyk.update(fixture("photo")) for _ in range(6)))
    assert [a.status for a in answers] == [200] * 6
    assert sorted(a.body["status"] for a in answers) == ["duplicate"] * 5 + ["stored"]
    assert await Message.all().count() == 1 and await InboundReceipt.all().count() == 1


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_a_wrong_or_missing_secret_gets_403_and_stores_nothing(peyk: BotService, secret: str | None) -> None:
    answer = await peyk.update(fixture("text"), secret=secret)
    assert answer.status == 403 and "Secret-Token" in answer.body["error"]
    assert await stored() == (0, 0)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b'{"update_id": 1, "message": ', "application/json", "not valid JSON"),
        (b"\xff\xfe garbage", "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "update_id"),
        (b'{"message": {}}', "application/json", "update_id"),
        (b'{"update_id": 5}', "text/plain", "Content-Type"),
        (b'{"update_id": 7, "message": {"message_id": 1, "text": "x"}}', "application/json", "chat"),
    ],
)
async def test_a_malformed_update_gets_400_with_a_reason_and_the_next_good_one_is_stored(
    peyk: BotService, body: bytes, content_type: str, reason: str
) -> None:
    answer = await peyk.post("/hooks/telegram", body, content_type=content_type)
    assert answer.status == 400 and reason in answer.body["error"]
    assert (await peyk.update(fixture("text"))).status == 200
    assert await Message.filter(external_id=f"{MARYAM}:101").exists()


async def test_a_photo_is_fetched_with_getfile_and_stored_as_an_attachment(peyk: BotService) -> None:
    peyk.telegram.add_file("AgACAgQAAxkBAAIBZ2dPhoto1280", JPEG, path="photos/file_7.jpg")
    assert (await peyk.update(fixture("photo"))).status == 200
    message = await Message.get(external_id=f"{MARYAM}:103")
    assert message.text == "عکس پلاک دستگاه"
    # Fetched after the ack, in the background.
    await eventually(lambda: Attachment.exists(message=message, state=FileState.STORED))
    (attachment,) = await Attachment.filter(message=message)
    assert attachment.sha256 == hashlib.sha256(JPEG).hexdigest() and attachment.size == len(JPEG)
    assert attachment.mime_type == "image/jpeg"
    assert attachments.read_bytes(attachment.sha256) == JPEG
    assert [c.params["file_id"] for c in peyk.telegram.calls_to("getFile")] == ["AgACAgQAAxkBAAIBZ2dPhoto1280"]


async def test_a_file_that_cannot_be_fetched_still_stores_the_message_with_its_file_id(peyk: BotService) -> None:
    assert (await peyk.update(fixture("document"))).status == 200  # the fake knows no such file
    message = await Message.get(external_id=f"{MARYAM}:104")
    assert message.text == "پیش‌فاکتور"
    (pending,) = await Attachment.filter(message=message)
    assert (pending.state, pending.provider_file_id) == (FileState.PENDING, "BQACAgQAAxkBAAIBaGdDocument1")
    await eventually(
        lambda: Attachment.exists(id=pending.id, fetch_attempts=1, fetch_error__icontains="invalid file_id")
    )
    assert (await Attachment.get(id=pending.id)).state == FileState.PENDING  # kept for the next try


async def test_a_bale_update_on_hooks_bale_becomes_channel_bale_with_its_own_identity(peyk: BotService) -> None:
    assert (await peyk.update(fixture("bale_text"), "bale")).status == 200
    message = await Message.get(external_id="1398765432:17")
    assert message.channel == Channel.BALE
    conversation = await Conversation.get(id=message.conversation_id)
    assert conversation.channel == Channel.BALE
    identity = await ContactIdentity.get(contact_id=conversation.contact_id)
    assert (identity.kind, identity.value) == (IdentityKind.BALE, "1398765432")
    # The same numeric id on Telegram is somebody else: its own identity and contact.
    same_id = json.loads(json.dumps(fixture("bale_text")))
    assert (await peyk.update(same_id)).status == 200
    assert await Contact.all().count() == 2


async def test_an_edited_message_replaces_the_text_and_keeps_the_previous_one(peyk: BotService) -> None:
    await peyk.update(fixture("text"))
    assert (await peyk.update(fixture("edited_message"))).status == 200
    message = await Message.get(external_id=f"{MARYAM}:101")
    assert message.text == "سلام، سفارش شماره ۱۲۳ من کی می‌رسد؟"
    assert [p["text"] for p in message.previous_texts] == ["سلام، سفارش من کی می‌رسد؟"]


async def test_a_button_press_is_stored_as_a_message_and_answered_with_answercallbackquery(peyk: BotService) -> None:
    assert (await peyk.update(fixture("callback_query"))).status == 200
    message = await Message.get(external_id=f"{MARYAM}:cb2200964577853712345")
    assert message.text == "پیگیری سفارش" and message.meta["callback_data"] == "menu:orders"
    answered = await eventually(lambda: _async(peyk.telegram.sent("answerCallbackQuery")))
    assert answered[0].params["callback_query_id"] == "2200964577853712345"


async def test_blocking_marks_the_contact_unreachable_and_unblocking_reachable_again(peyk: BotService) -> None:
    await peyk.update(fixture("text"))
    assert (await peyk.update(fixture("my_chat_member_blocked"))).status == 200
    contact = await Contact.get()
    assert contact.unreachable == ["telegram"]
    assert (await peyk.update(fixture("my_chat_member_unblocked"))).status == 200
    await contact.refresh_from_db()
    assert contact.unreachable == []


@pytest.mark.parametrize("name", ["group_message", "channel_post", "inline_query"])
async def test_groups_channels_and_unknown_kinds_get_200_and_store_nothing(peyk: BotService, name: str) -> None:
    answer = await peyk.update(fixture(name))
    assert answer.status == 200 and answer.body["status"] == "ignored"
    assert await Message.all().count() == 0 and await Contact.all().count() == 0


async def test_a_failure_before_anything_is_stored_gets_500_so_telegram_retries(
    peyk: BotService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bots import door

    async def broken(msg: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(door, "ingest_message", broken)
    assert (await peyk.update(fixture("text"))).status == 500
    assert await stored() == (0, 0)
    monkeypatch.undo()
    assert (await peyk.update(fixture("text"))).body["status"] == "stored"


async def test_the_bale_route_refuses_the_wrong_secret_too(peyk: BotService) -> None:
    assert (await peyk.update(fixture("bale_text"), "bale", secret="nope")).status == 403
    assert await Message.all().count() == 0


async def _async(value: object) -> object:
    return value
