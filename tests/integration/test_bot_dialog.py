"""The engine's manners (BOT-1): global words from anywhere, hints on bad answers, stale buttons, expiry, handover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.actions.conversations import hand_to_bot, set_status
from core.actions.outbox import send_reply
from core.models import Conversation, ConversationStatus, DialogState, Message, Role
from core.models.enums import AccessScope
from tests.support.api import staff
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer

__all__ = ["world"]
MENU = "لطفاً یکی از گزینه‌های زیر را انتخاب کنید."


async def test_after_talk_to_a_person_the_bot_is_silent_until_the_conversation_is_handed_back(world: BotWorld) -> None:
    user = world.telegram_user(6400000004, "مینا")
    await user.say("/start")
    await user.press("گفتگو با کارشناس")
    assert user.last() == "درخواست گفتگو با کارشناس ثبت شد. همکاران ما به‌زودی در همین گفتگو پاسخ می‌دهند."
    conversation = await Conversation.get(channel="telegram")
    assert conversation.status == ConversationStatus.OPEN
    sent = len(user.messages())
    for text in ("الو؟", "/start", "منو", "۱", "اپراتور"):
        await user.say(text)
    assert len(user.messages()) == sent  # nothing more from the bot
    assert await Message.filter(conversation_id=conversation.id, direction="in").count() == 7
    agent, _ = await staff("reza", role=Role.AGENT, scope=AccessScope.ALL)
    await send_reply(conversation.id, "سلام، در خدمتم.", by=agent)
    await user.say("ممنون، مشکل حل شد.")
    assert user.texts()[sent:] == ["سلام، در خدمتم."]
    await hand_to_bot(conversation.id, by=agent)
    await user.say("سلام دوباره")
    assert user.last().startswith("سلام، به پشتیبانی ما خوش آمدید.") and len(user.buttons()) == 6
    assert_persian(world.telegram)


async def test_sms_talk_to_a_person_by_word_and_a_resolved_conversation_wakes_the_bot(world: BotWorld) -> None:
    sms = world.sms_user("09124445566")
    await sms.say("اپراتور")
    assert sms.last().startswith("درخواست گفتگو با کارشناس ثبت شد.")
    await sms.say("کسی هست؟")
    assert len(sms.texts()) == 1
    conversation = await Conversation.get(channel="sms")
    await set_status(conversation.id, ConversationStatus.RESOLVED, by=None)
    await sms.say("۴")  # a resolved conversation reopens with the bot, which answers again
    assert sms.last().startswith("درخواست بازی برای شما ثبت نشده است.")
    assert_persian(world.kavenegar)


async def test_an_invalid_answer_is_asked_again_with_a_hint(world: BotWorld) -> None:
    sms = world.sms_user("09124445567")
    await sms.say("سلام")
    await sms.say("۹")
    assert sms.last().startswith("پاسخ شما با گزینه‌ها مطابقت نداشت. لطفاً فقط شمارهٔ یکی از گزینه‌ها را بفرستید.")
    assert "۶ـ گفتگو با کارشناس" in sms.last()
    user = world.telegram_user(6400000005, "مینا")
    await user.say("/start")
    await user.say("چه خبر؟")
    assert user.last().startswith("پاسخ شما با گزینه‌ها مطابقت نداشت. لطفاً یکی از دکمه‌های زیر را بزنید.")
    assert len(user.buttons()) == 6
    assert_persian(world.telegram, world.kavenegar)


async def test_cancel_and_menu_work_from_the_middle_of_a_flow(world: BotWorld) -> None:
    sms = world.sms_user("09124445568")
    await sms.say("۵")
    assert sms.last().startswith("لطفاً نام کالای مورد نظر را بنویسید")
    await sms.say("انصراف")
    assert sms.last().startswith(f"درخواست نیمه‌کاره لغو شد.\n\n{MENU}")
    await sms.say("۵")
    await sms.say("۰")
    assert sms.last().startswith(MENU)
    user = world.telegram_user(6400000006, "مینا")
    await user.say("/start")
    await user.press("استعلام قیمت")
    await user.say("/cancel")
    assert user.last().startswith("درخواست نیمه‌کاره لغو شد.")
    await user.press("استعلام قیمت")
    await user.say("/menu")
    assert user.last() == MENU
    assert_persian(world.telegram, world.kavenegar)


async def test_an_old_or_forged_button_is_refused_and_the_current_question_asked_again(world: BotWorld) -> None:
    await customer("مینا احمدی", "09124445569")
    user = world.telegram_user(6400000007, "مینا")
    await user.say("/start")
    first_menu = user.messages()[-1]
    await user.press("استعلام قیمت")
    old = first_menu.params["reply_markup"]["inline_keyboard"][1][0]["callback_data"]  # «سفارش‌های من» of the first menu
    await user.press_data(old)
    assert user.last().startswith("این دکمه مربوط به پیام قبلی است. لطفاً به پرسش زیر پاسخ دهید.")
    assert "لطفاً نام کالای مورد نظر را بنویسید" in user.last()
    await user.press_data("orders.AAAAAAAAAA")
    assert user.last().startswith("این دکمه مربوط به پیام قبلی است.")
    assert await DialogState.get(channel="telegram").values_list("flow", flat=True) == "price_inquiry"
    assert_persian(world.telegram)


async def test_a_flow_left_for_too_long_restarts_politely(world: BotWorld) -> None:
    sms = world.sms_user("09124445570")
    await sms.say("۵")
    await DialogState.filter(channel="sms").update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    await sms.say("۲")
    assert sms.last().startswith(f"زمان گفتگوی قبلی به پایان رسید و از ابتدا شروع می‌کنیم.\n\n{MENU}")
    await sms.say("۵")  # the menu shown is the one answered
    assert sms.last().startswith("لطفاً نام کالای مورد نظر را بنویسید")
    assert_persian(world.kavenegar)


async def test_a_message_over_the_length_limit_is_refused_with_the_limit(world: BotWorld) -> None:
    sms = world.sms_user("09124445571")
    await sms.say("سلام")
    await sms.say("ا" * 1500)
    assert sms.last().startswith("پیام شما از ۱٬۰۰۰ نویسه بلندتر است. لطفاً کوتاه‌تر بنویسید.")
    assert_persian(world.kavenegar)
