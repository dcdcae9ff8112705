"""The call desk over HTTP: a number in Persian digits finds the caller with open cases and orders; calls are logged."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from core.actions.calls import log_call
from core.actions.cases import open_case
from core.actions.contacts import create_contact
from core.actions.cti import handle_cti_event
from core.cti import CtiEvent
from core.models import Call, Case, Contact, IdentityKind, Task
from core.models.enums import CallDirection
from core.text import to_persian_digits
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.domain import order_for, product
from tests.support.web import web

__all__ = ["desk", "web"]


async def _customer(desk: Desk) -> Contact:
    return await create_contact("امیر رضایی", identities=[(IdentityKind.PHONE, "09121234567")], by=desk.agent_a)


async def test_a_number_typed_in_persian_digits_shows_the_caller_open_cases_and_recent_orders(desk: Desk) -> None:
    contact = await _customer(desk)
    case = await open_case(contact_id=contact.id, by=desk.agent_a, subject="کولر اسپلیت صدا می‌دهد")
    order = await order_for(contact, await product())
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get("/admin/calldesk?number=" + quote("۰۹۱۲ ۱۲۳ ۴۵۶۷"))
    assert status == 200
    caller = page[page.index('id="caller"') :]
    assert "امیر رضایی" in caller and "کولر اسپلیت صدا می‌دهد" in caller and f"/admin/cases/{case.id}" in caller
    assert to_persian_digits(order.number) in caller
    assert dates_are_jalali(page) == []


async def test_an_unknown_number_offers_to_log_the_call_and_a_fragment_lists_similar_contacts(desk: Desk) -> None:
    await _customer(desk)
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get("/admin/calldesk?number=" + quote("۰۹۱۹ ۹۹۹ ۸۸۷۷"))
    assert "پیدا نشد" in page and "ثبت تماس" in page
    _, partial = await browser.get("/admin/calldesk?number=" + quote("۰۹۱۲۱۲"))
    assert "مخاطبان مشابه" in partial and "امیر رضایی" in partial


async def test_a_logged_call_gets_a_follow_up_task_due_at_the_jalali_date_typed(desk: Desk) -> None:
    contact = await _customer(desk)
    browser = await desk.signed_in("agent_a")
    await browser.get("/admin/calldesk?number=09121234567")
    form = {
        "number": "۰۹۱۲۱۲۳۴۵۶۷",
        "direction": "in",
        "outcome": "پیگیری لازم است",
        "duration_minutes": "۴",
        "notes": "قیمت کولر ۲۴ هزار را خواست",
        "follow_up": "اعلام قیمت",
        "follow_up_due": "۱۴۰۵/۰۹/۰۵ ۱۴:۳۰",
    }
    status, location = await browser.post("/admin/calldesk/log", form)
    assert status == 302 and location.startswith("/admin/calldesk?number=")
    call = await Call.get(contact_id=contact.id)
    assert (call.user_id, call.duration_seconds, call.outcome) == (desk.agent_a.id, 240, "پیگیری لازم است")
    task = await Task.get(call_id=call.id)
    assert task.title == "اعلام قیمت"
    assert task.due_at == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # 5 Azar 1405 14:30 Tehran
    _, page = await browser.get(location)
    assert "تماس ثبت شد و کار پیگیری ساخته شد" in page and "۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰" in page


async def test_a_gregorian_or_broken_due_date_and_a_bad_number_are_refused_in_persian(desk: Desk) -> None:
    browser = await desk.signed_in("agent_a")
    await browser.get("/admin/calldesk")
    base = {"number": "09121234567", "direction": "in", "outcome": "x", "follow_up": "پیگیری"}
    await browser.post("/admin/calldesk/log", {**base, "follow_up_due": "2025-11-26"})
    _, page = await browser.get("/admin/calldesk?number=09121234567")
    assert "تاریخ شمسی را به شکل" in page
    await browser.post("/admin/calldesk/log", {**base, "number": "123"})
    _, page = await browser.get("/admin/calldesk?number=123")
    assert "شمارهٔ واردشده معتبر نیست" in page
    assert await Call.all().count() == 0


async def test_a_case_is_opened_from_a_logged_call(desk: Desk) -> None:
    contact = await _customer(desk)
    call = await log_call(direction=CallDirection.IN, number="09121234567", by=desk.agent_a, outcome="پرونده باز شد")
    browser = await desk.signed_in("agent_a")
    await browser.get("/admin/calldesk?number=09121234567")
    status, location = await browser.post(f"/admin/cases/from-call/{call.id}", {})
    case = await Case.get(contact_id=contact.id)
    assert (status, location) == (302, f"/admin/cases/{case.id}")
    assert case.source_channel is not None and case.source_channel.value == "call"


async def test_the_call_pop_up_names_the_caller_for_the_agent_it_rings_for(desk: Desk) -> None:
    await _customer(desk)
    event = CtiEvent("newCall", "pbx-1", CallDirection.IN, from_number="09121234567", users=("201",))
    call = await handle_cti_event(event)
    browser = await desk.signed_in("agent_a")
    status, popup = await browser.get(f"/admin/calldesk/popup/{call.id}")
    assert status == 200 and "تماس ورودی" in popup and "امیر رضایی" in popup and "۰۹۱۲ ۱۲۳ ۴۵۶۷" in popup
    stranger = await desk.signed_in("agent_b")
    _, hidden = await stranger.get(f"/admin/calldesk/popup/{call.id}")
    assert "امیر رضایی" not in hidden
