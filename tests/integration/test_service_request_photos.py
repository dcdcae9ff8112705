"""Photos a customer sends during a service request are attached to the case it opens (BOT-3).

The customer talks to the running bot over the fake Bot API (the photos' bytes are served by its
getFile); the case's attachments are read from the database.
"""

from __future__ import annotations

import hashlib

from core.actions.dialog import attach_photos
from core.models import Attachment, Case, CaseAttachment, Message
from handlers import copy
from tests.integration.test_bot_service_request import amir_with_a_split_unit
from tests.support.bot_world import BotWorld, world

__all__ = ["world"]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 30 + b"\xff\xd9"
LEAK = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(reversed(range(256))) * 30 + b"\xff\xd9"


async def _opened_with_photos(world: BotWorld) -> tuple[int, Case]:
    amir_id, _ = await amir_with_a_split_unit()
    amir = world.telegram_user(6_200_000_001, "امیر")
    await amir.say("/start")
    await amir.press("درخواست خدمات")
    await amir.share_contact("+989121234567")
    await amir.press("کولر گازی اسپلیت بیست‌وچهار هزار، سریال AC-۲۴-۷۷۴۱۵")
    await amir.photo("AgACAgQAAxkBAAIB-unit-ice", JPEG, caption="یونیت داخلی یخ می‌زند و آب می‌چکد.")
    assert "لطفاً درخواست زیر را بررسی و تأیید کنید." in amir.last()
    await amir.photo("AgACAgQAAxkBAAIB-outdoor", JPEG[::-1])
    assert copy.PHOTO_RECEIVED in amir.last()
    await amir.press("تأیید و ثبت درخواست")
    assert "ثبت شد" in amir.last()
    return amir_id, await Case.get(contact_id=amir_id)


async def test_the_photos_sent_in_a_service_request_are_attached_to_its_case(world: BotWorld) -> None:
    _, case = await _opened_with_photos(world)

    linked = await CaseAttachment.filter(case_id=case.id).order_by("id").values_list("attachment_id", flat=True)
    files = [await Attachment.get(id=a) for a in linked]
    assert [f.sha256 for f in files] == [hashlib.sha256(JPEG).hexdigest(), hashlib.sha256(JPEG[::-1]).hexdigest()]
    assert all(f.mime_type.startswith("image/") for f in files)
    assert "۲ عکس" in case.description


async def test_a_photo_of_another_conversation_is_never_attached(world: BotWorld) -> None:
    _, case = await _opened_with_photos(world)
    other = world.telegram_user(6_200_000_002, "غریبه")
    await other.photo("AgACAgQAAxkBAAIB-someone-else", LEAK)
    foreign = await Message.filter(conversation__thread_key="6200000002", direction="in").first()
    assert foreign is not None

    assert await attach_photos(case.id, case.conversation_id, [foreign.id]) == 0
    assert await CaseAttachment.filter(case_id=case.id).count() == 2
