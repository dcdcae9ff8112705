"""Price inquiries through the bot (BOT-8): product or category and quantity become a lead for the segment's team."""

from __future__ import annotations

from core.actions.contacts import update_contact
from core.actions.dialog import set_default_sales_team
from core.actions.teams import create_team
from core.models import Lead
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer, product

__all__ = ["world"]


async def catalogue() -> None:
    await product("AC-SPLIT", "کولر گازی اسپلیت بیست‌وچهار هزار", category="کولر گازی")
    await product("AC-INV", "کولر گازی اینورتر هجده هزار", category="کولر گازی")
    await product("EL-P8", "آسانسور هشت نفره", category="آسانسور")


async def test_a_category_and_quantity_become_a_lead_for_the_segments_sales_team(world: BotWorld) -> None:
    await catalogue()
    hvac = await create_team("فروش تهویه", segment="پیمانکاران")
    await create_team("فروش عمومی")
    amir = await customer("امیر رضایی", "09121234567")
    await update_contact(amir.id, by=None, segment="پیمانکاران")
    sms = world.sms_user("09121234567")
    await sms.say("۵")
    assert "۱ـ آسانسور\n۲ـ کولر گازی" in sms.last()
    await sms.say("۲")
    assert "۱ـ کولر گازی اسپلیت بیست‌وچهار هزار" in sms.last() and "۳ـ کالای دیگری می‌خواهم" in sms.last()
    await sms.say("۲")
    assert sms.last().startswith("لطفاً تعداد مورد نیاز را بفرستید.")
    await sms.say("چند تا")
    assert sms.last().startswith("لطفاً تعداد را به عدد بفرستید؛ برای نمونه «۲».")
    await sms.say("۱۲")
    assert sms.last().startswith("درخواست استعلام قیمت شما ثبت شد.")
    lead = await Lead.get(contact_id=amir.id)
    assert (lead.team_id, lead.segment, lead.source_channel) == (hvac.id, "پیمانکاران", "sms")
    assert lead.title == "استعلام قیمت از ربات: کولر گازی اینورتر هجده هزار، ۱۲ دستگاه"
    assert lead.conversation_id is not None
    assert_persian(world.kavenegar)


async def test_a_typed_product_name_finds_it_and_a_customer_without_a_segment_goes_to_the_default_team(
    world: BotWorld,
) -> None:
    await catalogue()
    default = await create_team("فروش عمومی")
    await set_default_sales_team(default.id)
    user = world.telegram_user(6600000006, "کاوه")
    await user.say("/start")
    await user.press("استعلام قیمت")
    await user.say("آسانسور هشت")  # one product matches: straight to the quantity
    assert user.last().startswith("لطفاً تعداد مورد نیاز را بفرستید.")
    await user.say("۲")
    assert user.last().startswith("درخواست استعلام قیمت شما ثبت شد.")
    [lead] = await Lead.all()
    assert lead.title == "استعلام قیمت از ربات: آسانسور هشت نفره، ۲ دستگاه"
    assert lead.team_id == default.id and lead.source_channel == "telegram"
    assert_persian(world.telegram)


async def test_typed_sql_and_wildcards_are_plain_words_to_the_bot(world: BotWorld) -> None:
    await catalogue()
    sms = world.sms_user("09127776600")
    await sms.say("۵")
    await sms.say("%")
    assert sms.last().startswith("لطفاً نام کالا را کامل‌تر بنویسید.")
    await sms.say("'; DROP TABLE lead; --")
    assert sms.last().startswith("لطفاً تعداد مورد نیاز را بفرستید.")
    await sms.say("۱")
    [lead] = await Lead.all()
    assert lead.title == "استعلام قیمت از ربات: DROP TABLE lead، ۱ عدد"
    assert all("DROP" not in text for text in sms.texts())
    assert_persian(world.kavenegar)


async def test_a_name_matching_no_product_is_still_recorded_for_the_sales_team(world: BotWorld) -> None:
    await catalogue()
    sms = world.sms_user("09127776655")
    await sms.say("استعلام قیمت")
    await sms.say("پمپ آب طبقاتی")
    await sms.say("3")
    [lead] = await Lead.all()
    assert "پمپ آب طبقاتی" in lead.title and lead.team_id is None
    assert sms.last().startswith("درخواست استعلام قیمت شما ثبت شد.")
    assert_persian(world.kavenegar)
