"""Who the customer is (BOT-2): only their own shared contact links a messenger account to a CRM contact."""

from __future__ import annotations

import asyncio

from core.actions.contacts import create_contact
from core.actions.merge import merge_contacts
from core.models import Case, Contact, ContactIdentity, Conversation, DialogState, IdentityKind, Order
from core.text import to_persian_digits
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer, order_for, product

__all__ = ["world"]


async def test_someone_elses_shared_contact_is_refused_and_links_nothing(world: BotWorld) -> None:
    amir = await customer("امیر رضایی", "09121234567")
    await order_for(amir, await product())
    stranger = world.telegram_user(6300000003, "ناشناس")
    await stranger.say("/start")
    await stranger.press("سفارش‌های من")
    await stranger.share_contact("+989121234567", user_id=6100000001, first_name="امیر")
    assert stranger.last().startswith("شمارهٔ فرستاده‌شده متعلق به حساب خود شما نیست و پذیرفته نشد.")
    assert stranger.messages()[-1].params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    await stranger.say("09121234567")  # typing the number is no proof either
    assert stranger.last().startswith("لطفاً شماره را با دکمهٔ «ارسال شمارهٔ تلفن من» بفرستید")
    identity = await ContactIdentity.get(kind=IdentityKind.TELEGRAM, value="6300000003")
    assert identity.contact_id != amir.id and not identity.verified
    assert not await ContactIdentity.filter(contact_id=identity.contact_id, kind=IdentityKind.PHONE).exists()
    assert all("S-" not in text for text in stranger.texts())
    assert_persian(world.telegram)


async def test_an_own_shared_contact_joins_the_existing_contact_with_that_phone(world: BotWorld) -> None:
    amir = await customer("امیر رضایی", "09121234567")
    user = world.telegram_user(6100000001, "امیر")
    await user.say("سلام")
    bare = (await ContactIdentity.get(kind=IdentityKind.TELEGRAM, value="6100000001")).contact_id
    assert bare != amir.id
    await user.press("درخواست‌های من")
    await user.share_contact("989121234567")
    assert user.last().startswith("شمارهٔ شما تأیید شد.\n\nدرخواست بازی برای شما ثبت نشده است.")
    identity = await ContactIdentity.get(kind=IdentityKind.TELEGRAM, value="6100000001")
    assert identity.contact_id == amir.id and identity.verified
    assert (await Conversation.get(channel="telegram")).contact_id == amir.id
    assert (await Contact.get(id=bare)).merged_into_id == amir.id
    # From now on the account is known: no second request for the number.
    await user.press("سفارش‌های من")
    assert user.last().startswith("سفارشی برای شما ثبت نشده است.")
    assert_persian(world.telegram)


async def test_a_new_phone_shared_on_bale_becomes_the_contacts_verified_phone(world: BotWorld) -> None:
    user = world.telegram_user(1398765432, "سارا", channel="bale")
    await user.say("/start")
    await user.press("درخواست خدمات")
    await user.share_contact("+98 912 555 0101")
    assert user.last().startswith("شمارهٔ شما تأیید شد.\n\nلطفاً شماره سریال دستگاه را بفرستید.")
    contact_id = (await ContactIdentity.get(kind=IdentityKind.BALE, value="1398765432")).contact_id
    phone = await ContactIdentity.get(kind=IdentityKind.PHONE, value="+989125550101")
    assert phone.contact_id == contact_id and phone.verified
    await user.press("ثبت بدون انتخاب دستگاه")
    await user.say("آسانسور بین طبقه‌ها می‌ایستد.")
    await user.press("تأیید و ثبت درخواست")
    case = await Case.get(contact_id=contact_id)
    assert case.device_id is None and case.source_channel == "bale"
    assert [s["receptor"] for s in world.kavenegar.sms] == ["09125550101"]
    assert world.telegram.sent("sendMessage") == []
    assert_persian(world.bale, world.kavenegar)


async def test_on_sms_the_senders_number_is_the_identity(world: BotWorld) -> None:
    amir = await customer("امیر رضایی", "09121234567")
    order = await order_for(amir, await product())
    sms = world.sms_user("09121234567")
    await sms.say("۲")
    assert to_persian_digits(order.number) in sms.last()
    other = world.sms_user("09120000000")
    await other.say("۲")
    assert other.last().startswith("سفارشی برای شما ثبت نشده است.")
    assert_persian(world.kavenegar)


async def test_staff_can_merge_two_contacts_who_both_talked_to_the_sms_bot(world: BotWorld) -> None:
    first = await customer("امیر رضایی", "09121234567")
    second = await customer("امیر رضایی (خط دوم)", "09121234500")
    for phone in ("09121234567", "09121234500"):
        await world.sms_user(phone).say("سلام")
    assert await DialogState.filter(channel="sms").count() == 2
    await merge_contacts(first.id, second.id, by=None)
    other_line = world.sms_user("09121234500")
    await other_line.say("۴")  # the second line now speaks for the kept contact
    assert other_line.last().startswith("درخواست بازی برای شما ثبت نشده است.")
    assert await DialogState.filter(contact_id=first.id, channel="sms").exists()
    assert_persian(world.kavenegar)


async def test_concurrent_sms_of_one_sender_are_each_taken_as_one_step_of_the_dialog(world: BotWorld) -> None:
    sms = world.sms_user("09121230000")
    await sms.say("سلام")
    await asyncio.gather(*(sms.say(text) for text in ("۵", "آسانسور", "۳")))
    state = await DialogState.get(channel="sms")
    assert state.seq == 4 and len(sms.texts()) == 4
    assert_persian(world.kavenegar)


async def test_a_staff_made_contact_with_records_is_not_merged_only_the_account_moves(world: BotWorld) -> None:
    amir = await customer("امیر رضایی", "09121234567")
    office = await create_contact("دفتر شرکت", identities=[(IdentityKind.TELEGRAM, "6100000009")])
    office_order = await order_for(office, await product())
    user = world.telegram_user(6100000009, "امیر")
    await user.say("/start")
    await user.press("سفارش‌های من")
    await user.share_contact("+989121234567")
    assert user.last().startswith("شمارهٔ شما تأیید شد.\n\nسفارشی برای شما ثبت نشده است.")
    identity = await ContactIdentity.get(kind=IdentityKind.TELEGRAM, value="6100000009")
    assert identity.contact_id == amir.id and identity.verified
    assert (await Contact.get(id=office.id)).merged_into_id is None
    assert (await Order.get(id=office_order.id)).contact_id == office.id
    assert (await Conversation.get(channel="telegram")).contact_id == amir.id
    assert to_persian_digits(office_order.number) not in " ".join(user.texts())
    assert_persian(world.telegram)
