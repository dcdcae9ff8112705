"""Service requests through the bot (BOT-3): Telegram with buttons in six messages, SMS typing Persian digits."""

from __future__ import annotations

from core.actions.devices import register_device
from core.jalali import to_gregorian
from core.models import Case, CaseStatus, Role
from core.models.enums import AccessScope
from tests.support.api import staff
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer, product

__all__ = ["world"]
# Installed 1404/09/15 with 18 months of warranty: under warranty until 1406/03/15.
INSTALLED = to_gregorian(1404, 9, 15)


async def amir_with_a_split_unit() -> tuple[int, int]:
    """Amir (0912 123 4567) and his split air conditioner, serial AC-24-77415."""
    amir = await customer("امیر رضایی", "09121234567")
    split = await product("AC-SPLIT", "کولر گازی اسپلیت بیست‌وچهار هزار")
    device = await register_device(
        "AC-24-77415", product_id=split.id, owner_id=amir.id, by=None, installed_at=INSTALLED
    )
    return amir.id, device.id


async def test_a_customer_opens_a_service_request_on_telegram_in_six_messages(world: BotWorld) -> None:
    amir_id, device_id = await amir_with_a_split_unit()
    amir = world.telegram_user(6100000001, "امیر")
    await amir.say("/start")
    assert "درخواست خدمات" in amir.buttons()
    await amir.press("درخواست خدمات")
    assert "ارسال شمارهٔ تلفن من" in amir.last() or amir.messages()[-1].params["reply_markup"]["keyboard"]
    await amir.share_contact("+989121234567")
    assert amir.last().startswith("شمارهٔ شما تأیید شد.")
    await amir.press("کولر گازی اسپلیت بیست‌وچهار هزار، سریال AC-۲۴-۷۷۴۱۵")
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in amir.last()
    await amir.say("کولر روشن می‌شود ولی هوای خنک نمی‌دهد و از یونیت داخلی آب می‌چکد.")
    assert "لطفاً درخواست زیر را بررسی و تأیید کنید." in amir.last()
    await amir.press("تأیید و ثبت درخواست")

    case = await Case.get(contact_id=amir_id)
    number = case.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"درخواست شما با شمارهٔ {number} ثبت شد." in amir.last()
    _, token = await staff("sara", role=Role.ADMIN, scope=AccessScope.ALL)
    listed = await world.api(f"/cases?contact={amir_id}", token)
    [shown] = listed["items"]
    assert (shown["number"], shown["device_id"], shown["status"]) == (case.number, device_id, CaseStatus.NEW.value)
    assert shown["conversation_id"] is not None and shown["source_channel"] == "telegram"
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in shown["description"]
    assert (await world.api(f"/devices/{device_id}", token))["warranty"] == "active"
    [sms] = [s for s in world.kavenegar.sms if s["receptor"] == "09121234567"]
    assert number in sms["message"]
    assert len(amir.messages()) == 6
    assert_persian(world.telegram, world.kavenegar)


async def test_a_customer_opens_a_service_request_by_sms_typing_persian_digits(world: BotWorld) -> None:
    amir_id, device_id = await amir_with_a_split_unit()
    amir = world.sms_user("09121234567")
    await amir.say("سلام")
    assert "۱ـ درخواست خدمات" in amir.last()
    await amir.say("۱")
    assert "۱ـ کولر گازی اسپلیت بیست‌وچهار هزار، سریال AC-۲۴-۷۷۴۱۵" in amir.last()
    await amir.say("AC-۲۴-۷۷۴۱۵")
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in amir.last()
    await amir.say("دستگاه صدای زیادی می‌دهد و خاموش می‌شود.")
    assert "۱ـ تأیید و ثبت درخواست" in amir.last()
    await amir.say("۱")

    case = await Case.get(contact_id=amir_id)
    number = case.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"درخواست شما با شمارهٔ {number} ثبت شد." in amir.last()
    _, token = await staff("sara", role=Role.ADMIN, scope=AccessScope.ALL)
    shown = await world.api(f"/cases/{case.id}", token)
    assert (shown["device_id"], shown["source_channel"]) == (device_id, "sms")
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in shown["description"]
    assert (await world.api(f"/devices/{device_id}", token))["warranty"] == "active"
    assert_persian(world.kavenegar)
