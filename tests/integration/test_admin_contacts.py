"""Contacts over HTTP: Persian search, the contact page and its timeline, edits, identities, merge, access."""

from __future__ import annotations

import re

from core.actions.calls import log_call
from core.actions.cases import open_case
from core.actions.contacts import create_contact
from core.actions.outbox import send_reply
from core.models import Contact, ContactIdentity, Conversation, IdentityKind
from core.models.enums import CallDirection
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.inbound import sms
from tests.support.web import web

__all__ = ["desk", "web"]


def _contacts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/admin/contacts/(\d+)">', page)]


async def _owned(desk: Desk, name: str, phone: str) -> Contact:
    return await create_contact(name, identities=[(IdentityKind.PHONE, phone)], by=desk.agent_a)


async def test_contacts_are_found_by_arabic_spelling_and_by_a_phone_in_persian_digits(desk: Desk) -> None:
    ali = await _owned(desk, "علی کریمی", "09121234567")
    other = await _owned(desk, "نگار یزدانی", "09351112233")
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get("/admin/contacts")
    assert sorted(_contacts(page)) == sorted([ali.id, other.id]) and "۰۹۱۲ ۱۲۳ ۴۵۶۷" in page
    assert _contacts((await browser.get("/admin/contacts?q=علي كريمي"))[1]) == [ali.id]
    assert _contacts((await browser.get("/admin/contacts?q=۰۹۱۲ ۱۲۳"))[1]) == [ali.id]
    assert _contacts((await browser.get("/admin/contacts?q=+98935"))[1]) == [other.id]
    assert dates_are_jalali(page) == []


async def test_the_contact_page_shows_the_timeline_of_every_channel_in_jalali(desk: Desk) -> None:
    telegram_chat = await desk.conversation(desk.team_a, "کولر روشن نمی‌شود", name="مریم حسینی")
    contact = await Contact.get(id=telegram_chat.contact_id)
    await send_reply(telegram_chat.id, "تکنسین اعزام می‌شود", by=desk.agent_a)
    await ContactIdentity.create(contact=contact, kind=IdentityKind.PHONE, value="+989121110000")
    await desk.ingest(sms("09121110000", "پیامک پیگیری"), desk.team_a)
    await log_call(direction=CallDirection.IN, number="09121110000", by=desk.agent_a, outcome="پاسخ داده شد")
    case = await open_case(contact_id=contact.id, by=desk.agent_a, subject="کولر اسپلیت")
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/contacts/{contact.id}")
    assert status == 200
    timeline = page[page.index('class="timeline"') :]
    for text in ("کولر روشن نمی‌شود", "تکنسین اعزام می‌شود", "پیامک پیگیری", "تماس", "کولر اسپلیت", "پیامک", "تلگرام"):
        assert text in timeline, text
    assert f"/admin/cases/{case.id}" in timeline
    assert dates_are_jalali(page) == []


async def test_a_contact_is_edited_and_given_an_identity_typed_in_persian_digits(desk: Desk) -> None:
    contact = await _owned(desk, "امیر", "09121234567")
    browser = await desk.signed_in("agent_a")
    path = f"/admin/contacts/{contact.id}"
    await browser.get(path)
    await browser.post(f"{path}/edit", {"display_name": "امیر رضایی", "segment": "پیمانکار", "notes": "مشتری قدیمی"})
    await browser.post(f"{path}/identities", {"kind": "phone", "value": "۰۹۳۵ ۱۱۱ ۲۲۳۳"})
    changed = await Contact.get(id=contact.id)
    assert (changed.display_name, changed.segment, changed.notes) == ("امیر رضایی", "پیمانکار", "مشتری قدیمی")
    assert await ContactIdentity.exists(contact_id=contact.id, kind=IdentityKind.PHONE, value="+989351112233")
    _, page = await browser.get(path)
    assert "راه ارتباطی تازه ثبت شد" in page


async def test_an_identity_of_another_contact_is_refused_with_a_hint_to_merge(desk: Desk) -> None:
    first = await _owned(desk, "اول", "09121234567")
    await _owned(desk, "دوم", "09351112233")
    browser = await desk.signed_in("agent_a")
    await browser.get(f"/admin/contacts/{first.id}")
    await browser.post(f"/admin/contacts/{first.id}/identities", {"kind": "phone", "value": "09351112233"})
    _, page = await browser.get(f"/admin/contacts/{first.id}")
    assert "از «ادغام» استفاده کنید" in page


async def test_merge_previews_what_moves_then_moves_everything_and_the_old_page_follows(desk: Desk) -> None:
    keep = await _owned(desk, "امیر رضایی", "09121234567")
    chat = await desk.conversation(desk.team_a, name="امیر ر")
    duplicate = await Contact.get(id=chat.contact_id)
    await Contact.filter(id=duplicate.id).update(owner_id=desk.agent_a.id)
    browser = await desk.signed_in("agent_a")
    _, search = await browser.get(f"/admin/contacts/{keep.id}?merge_q=امیر ر")
    assert f"/admin/contacts/{keep.id}/merge?other={duplicate.id}" in search
    status, preview = await browser.get(f"/admin/contacts/{keep.id}/merge?other={duplicate.id}")
    assert status == 200 and "۱ گفتگو" in preview and "۱ راه ارتباطی" in preview
    assert await Contact.get(id=duplicate.id).values_list("merged_into_id", flat=True) is None  # nothing moved yet
    status, location = await browser.post(f"/admin/contacts/{keep.id}/merge", {"other": str(duplicate.id)})
    assert (status, location) == (302, f"/admin/contacts/{keep.id}")
    assert (await Conversation.get(id=chat.id)).contact_id == keep.id
    assert (await browser.get(f"/admin/contacts/{duplicate.id}")) == (302, f"/admin/contacts/{keep.id}")


async def test_a_contact_of_team_b_is_403_for_an_agent_of_team_a(desk: Desk) -> None:
    chat = await desk.conversation(desk.team_b, name="مشتری تیم ب")
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/contacts/{chat.contact_id}")
    assert status == 403 and "اجازهٔ دیدن" in page
    await browser.get("/admin/contacts")
    status, _ = await browser.post(f"/admin/contacts/{chat.contact_id}/edit", {"display_name": "x"})
    assert status == 403
    assert "مشتری تیم ب" not in (await browser.get("/admin/contacts?q=مشتری"))[1]


async def test_the_page_of_a_contact_with_no_phone_opens(desk: Desk) -> None:
    chat = await desk.conversation(desk.team_a, "سلام", name="کاربر تلگرام")
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/contacts/{chat.contact_id}")
    assert status == 200 and "کاربر تلگرام" in page and "/admin/calldesk?number=" in page
