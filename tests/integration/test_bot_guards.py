"""Guards (issue 4): an SMS flood gets one polite warning, then silence that staff can see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import Conversation, DialogState, Message
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world

__all__ = ["world"]
WARNING = "تعداد پیام‌های شما در زمان کوتاهی زیاد بوده است؛ پاسخ خودکار تا مدتی متوقف می‌شود."


async def test_an_sms_flood_gets_one_warning_then_silence_and_staff_see_a_label_and_a_note(world: BotWorld) -> None:
    sms = world.sms_user("09129990000")
    for n in range(12):
        await sms.say("سلام" if n % 2 == 0 else "۹")
    assert len(sms.texts()) == 12  # up to the limit every message is answered
    await sms.say("۱")
    assert sms.last().startswith(WARNING)
    for _ in range(5):
        await sms.say("۲")
    assert len(sms.texts()) == 13 and sum(WARNING in t for t in sms.texts()) == 1
    conversation = await Conversation.get(channel="sms")
    assert "پیامک پرتکرار" in conversation.labels
    [note] = await Message.filter(conversation_id=conversation.id, internal=True)
    assert note.text.startswith("این فرستنده در ۵ دقیقه ۱۳ پیامک فرستاد؛ پاسخ خودکار تا ")
    assert await Message.filter(conversation_id=conversation.id, direction="in").count() == 18  # all kept

    # After the silence (and with the burst behind), the bot answers again.
    await DialogState.filter(channel="sms").update(muted_until=datetime.now(UTC) - timedelta(seconds=1))
    await Message.filter(conversation_id=conversation.id).update(created_at=datetime.now(UTC) - timedelta(hours=1))
    await sms.say("منو")
    assert sms.last().startswith("لطفاً یکی از گزینه‌های زیر را انتخاب کنید.")
    assert_persian(world.kavenegar)


async def test_telegram_is_not_rate_limited_like_sms(world: BotWorld) -> None:
    user = world.telegram_user(6700000007, "پویا")
    for _ in range(15):
        await user.say("/menu")
    assert len(user.messages()) == 15
    assert_persian(world.telegram)
