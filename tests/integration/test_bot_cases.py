"""My cases through the bot (BOT-7): their state, and "Was it fixed?" for a resolved one — yes closes, no reopens."""

from __future__ import annotations

from core.actions.cases import open_case, set_case_status
from core.events import Event, bus
from core.models import Case, CaseEvent, CaseStatus, Conversation, Message
from core.text import to_persian_digits
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer

__all__ = ["world"]


async def resolved_and_open_cases(phone: str) -> tuple[Case, Case]:
    contact = await customer("امیر رضایی", phone)
    resolved = await open_case(contact_id=contact.id, by=None, subject="نشتی آب")
    await set_case_status(resolved.id, CaseStatus.RESOLVED, by=None, note="لوله تخلیه تعویض شد")
    waiting = await open_case(contact_id=contact.id, by=None, subject="صدای کمپرسور")
    return await Case.get(id=resolved.id), waiting


async def test_yes_it_was_fixed_closes_the_resolved_case(world: BotWorld) -> None:
    resolved, waiting = await resolved_and_open_cases("09121234567")
    sms = world.sms_user("09121234567")
    await sms.say("۴")
    listing = sms.last()
    assert f"۱ـ {to_persian_digits(waiting.number)}، ثبت‌شده" in listing
    assert f"۲ـ {to_persian_digits(resolved.number)}، برطرف‌شده" in listing
    await sms.say("۲")
    assert "آیا مشکل شما برطرف شد؟" in sms.last() and "۱ـ بله، برطرف شد" in sms.last()
    await sms.say("۱")
    assert sms.last().startswith(f"سپاسگزاریم. درخواست {to_persian_digits(resolved.number)} بسته شد.")
    assert (await Case.get(id=resolved.id)).status == CaseStatus.CLOSED
    assert_persian(world.kavenegar)


async def test_not_fixed_reopens_the_case_with_the_reason_and_tells_the_team(world: BotWorld) -> None:
    resolved, _ = await resolved_and_open_cases("09121234567")
    seen: list[Event] = []
    unsubscribe = bus.subscribe("case.resolution_rejected", seen.append)
    try:
        user = world.telegram_user(6100000001, "امیر")
        await user.say("/start")
        await user.press("درخواست‌های من")
        await user.share_contact("+989121234567")
        await user.press(f"{to_persian_digits(resolved.number)}، برطرف‌شده")
        await user.press("خیر، هنوز مشکل دارم")
        assert user.last().startswith("لطفاً بفرمایید چه مشکلی هنوز باقی مانده است.")
        await user.say("باز هم از زیر یونیت آب می‌چکد.")
    finally:
        unsubscribe()
    assert user.last().startswith(f"درخواست {to_persian_digits(resolved.number)} دوباره باز شد")
    case = await Case.get(id=resolved.id)
    assert case.status == CaseStatus.OPEN and case.resolved_at is None
    reopened = await CaseEvent.get(case_id=case.id, kind="reopened")
    assert reopened.note == "باز هم از زیر یونیت آب می‌چکد."
    conversation = await Conversation.get(channel="telegram")
    [note] = await Message.filter(conversation_id=conversation.id, internal=True)
    assert resolved.number in note.text and "باز هم از زیر یونیت آب می‌چکد." in note.text
    assert [e.data["case_id"] for e in seen] == [case.id]
    assert_persian(world.telegram)


async def test_an_open_case_shows_its_state_and_goes_back_to_the_menu(world: BotWorld) -> None:
    _, waiting = await resolved_and_open_cases("09121234568")
    sms = world.sms_user("09121234568")
    await sms.say("۴")
    await sms.say("۱")
    assert sms.last().startswith(f"درخواست {to_persian_digits(waiting.number)}\nوضعیت: ثبت‌شده\nتاریخ ثبت: ")
    assert (await Case.get(id=waiting.id)).status == CaseStatus.NEW
    assert_persian(world.kavenegar)
