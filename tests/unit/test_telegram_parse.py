"""parse_inbound on real-format Telegram/Bale updates (tests/fixtures/telegram/*.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from channels.base import InboundMessage, InvalidInbound
from channels.telegram import EditedMessage, IgnoredUpdate, MemberStatus, parse_inbound
from core.models import Channel, IdentityKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
MARYAM = "5123456789"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def message(name: str, channel: Channel = Channel.TELEGRAM) -> InboundMessage:
    parsed = parse_inbound(fixture(name), channel)
    assert isinstance(parsed, InboundMessage), parsed
    return parsed


def test_private_text_becomes_a_message_on_the_senders_telegram_identity_and_chat() -> None:
    msg = message("text")
    assert msg.channel == Channel.TELEGRAM
    assert msg.external_id == f"{MARYAM}:101"
    assert (msg.identity_kind, msg.identity_value) == (IdentityKind.TELEGRAM, MARYAM)
    assert msg.thread_key == MARYAM
    assert msg.sender_name == "مریم احمدی"
    assert msg.text == "سلام، سفارش من کی می‌رسد؟"
    assert msg.sent_at == datetime.fromtimestamp(1764571200, UTC)
    assert msg.meta["username"] == "maryam_ahmadi"
    assert msg.verified_phone is None and msg.attachments == ()


def test_start_command_is_kept_as_its_text() -> None:
    assert message("start").text == "/start"


def test_photo_takes_the_largest_size_as_a_file_to_fetch_with_the_caption_as_text() -> None:
    msg = message("photo")
    assert msg.text == "عکس پلاک دستگاه"
    (photo,) = msg.attachments
    assert photo.provider_file_id == "AgACAgQAAxkBAAIBZ2dPhoto1280"
    assert photo.data == b""
    assert photo.mime_type == "image/jpeg" and photo.name.endswith(".jpg")
    assert msg.meta["kind"] == "photo"


def test_document_keeps_its_file_name_and_mime_type() -> None:
    msg = message("document")
    (doc,) = msg.attachments
    assert (doc.name, doc.mime_type) == ("فاکتور-۱۴۰۴.pdf", "application/pdf")
    assert doc.provider_file_id == "BQACAgQAAxkBAAIBaGdDocument1"
    assert msg.text == "پیش‌فاکتور"


def test_voice_becomes_an_ogg_attachment() -> None:
    msg = message("voice")
    (voice,) = msg.attachments
    assert voice.mime_type == "audio/ogg" and voice.name.endswith(".ogg")
    assert msg.meta["kind"] == "voice"


def test_own_shared_contact_verifies_the_phone() -> None:
    msg = message("contact_own")
    assert msg.verified_phone == "+989121234567"
    assert msg.meta["contact"]["user_id"] == int(MARYAM)
    assert "مریم احمدی" in msg.text and "۹۸۹۱۲۱۲۳۴۵۶۷" in msg.text


def test_someone_elses_shared_contact_verifies_nothing() -> None:
    msg = message("contact_other")
    assert msg.verified_phone is None
    assert msg.meta["contact"]["phone_number"] == "+989351112233"
    assert msg.text.startswith("مخاطب: رضا کریمی")


def test_location_reads_as_persian_coordinates_with_the_numbers_in_meta() -> None:
    msg = message("location")
    assert msg.text == "موقعیت: ۳۵٫۶۹۹۷۳۹، ۵۱٫۳۳۸۰۹۷"
    assert msg.meta["location"] == {"latitude": 35.699739, "longitude": 51.338097}


def test_edited_message_points_at_the_original_message_with_the_new_text() -> None:
    parsed = parse_inbound(fixture("edited_message"))
    assert parsed == EditedMessage(
        Channel.TELEGRAM, f"{MARYAM}:101", "سلام، سفارش شماره ۱۲۳ من کی می‌رسد؟", datetime.fromtimestamp(1764571260, UTC)
    )


def test_button_press_becomes_a_message_with_the_button_label_as_text_and_its_data_in_meta() -> None:
    msg = message("callback_query")
    assert msg.text == "پیگیری سفارش"  # what staff read in the inbox
    assert msg.meta["callback_data"] == "menu:orders"  # what the bot reads
    assert msg.external_id == f"{MARYAM}:cb2200964577853712345"
    assert msg.meta["callback_query_id"] == "2200964577853712345"
    assert msg.meta["reply_to"] == f"{MARYAM}:110"
    assert msg.identity_value == MARYAM and msg.thread_key == MARYAM


def test_a_button_press_without_its_keyboard_falls_back_to_the_data() -> None:
    raw = fixture("callback_query")
    del raw["callback_query"]["message"]["reply_markup"]
    parsed = parse_inbound(raw)
    assert isinstance(parsed, InboundMessage) and parsed.text == "menu:orders"


def test_blocking_the_bot_makes_the_user_unreachable() -> None:
    assert parse_inbound(fixture("my_chat_member_blocked")) == MemberStatus(Channel.TELEGRAM, MARYAM, False, "kicked")


def test_unblocking_the_bot_makes_the_user_reachable_again() -> None:
    assert parse_inbound(fixture("my_chat_member_unblocked")) == MemberStatus(Channel.TELEGRAM, MARYAM, True, "member")


@pytest.mark.parametrize("name", ["group_message", "channel_post", "inline_query"])
def test_groups_channels_and_unhandled_kinds_are_ignored(name: str) -> None:
    assert isinstance(parse_inbound(fixture(name)), IgnoredUpdate)


def test_group_message_is_ignored_with_its_chat_id() -> None:
    parsed = parse_inbound(fixture("group_message"))
    assert isinstance(parsed, IgnoredUpdate) and parsed.chat_id == -1001987654321


def test_bale_update_becomes_a_bale_message_with_a_bale_identity() -> None:
    msg = message("bale_text", Channel.BALE)
    assert msg.channel == Channel.BALE
    assert (msg.identity_kind, msg.identity_value) == (IdentityKind.BALE, "1398765432")
    assert msg.external_id == "1398765432:17"


def test_bale_blocking_is_reported_for_the_bale_channel() -> None:
    parsed = parse_inbound(fixture("my_chat_member_blocked"), Channel.BALE)
    assert isinstance(parsed, MemberStatus) and parsed.channel == Channel.BALE and not parsed.reachable


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"message": {}},
        {"update_id": "12"},
        {"update_id": 1, "message": "text"},
        {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x"}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "text": "x"}},
        {"update_id": 1, "message": {"chat": {"id": 5, "type": "private"}, "from": {"id": 5}, "text": "x"}},
        {
            "update_id": 1,
            "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "from": {"id": 5}, "photo": [{}]},
        },
        {
            "update_id": 1,
            "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "from": {"id": 5}, "photo": [1, 2]},
        },
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5},
                "location": {"latitude": "x"},
            },
        },
        {"update_id": 1, "my_chat_member": {"chat": {"id": 5, "type": "private"}, "new_chat_member": "kicked"}},
    ],
)
def test_malformed_updates_raise_invalid_inbound_with_a_reason(raw: Any) -> None:
    with pytest.raises(InvalidInbound) as info:
        parse_inbound(raw)
    assert str(info.value)
