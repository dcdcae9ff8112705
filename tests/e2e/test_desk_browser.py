"""Contacts, call desk, cases and HTML mail in headless Chromium: what an agent sees, at desktop and phone width.

Also the Jalali scan: no page shows a Gregorian date or a Latin digit in a date.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page

from core.actions.calls import log_call
from core.actions.cases import open_case
from core.actions.contacts import add_identity
from core.actions.conversations import set_status
from core.actions.cti import handle_cti_event
from core.actions.outbox import send_reply
from core.cti import CtiEvent
from core.inbound import InboundAttachment
from core.models import Case, Contact, ConversationStatus, IdentityKind
from core.models.enums import CallDirection
from tests.support.browser import screenshot, sign_in
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.domain import order_for, product
from tests.support.inbound import email, sms
from tests.support.web import web

__all__ = ["desk", "web"]

HOSTILE = (
    "<p>سلام، فاکتور پیوست است.</p>"
    "<script>fetch('/pwned-script'); alert('script ran')</script>"
    "<img src=\"/pwned-img\" onerror=\"fetch('/pwned-onerror'); alert('onerror ran')\">"
    "<svg onload=\"alert('svg ran')\"></svg><a href=\"javascript:alert('link')\">لینک</a>"
)
TIME_TEXTS = "[...document.querySelectorAll('time')].map(t => t.textContent)"


async def _customer_with_history(desk: Desk) -> Contact:
    """A customer known on Telegram, SMS and phone, with a case, an order, a call and a note."""
    chat = await desk.conversation(desk.team_a, "سلام، کولر گازی اسپلیت صدای زیادی می‌دهد", name="مریم حسینی")
    contact = await Contact.get(id=chat.contact_id)
    await add_identity(contact.id, IdentityKind.PHONE, "09121234567")
    await send_reply(chat.id, "لطفاً مدل دستگاه را بفرمایید.", by=desk.agent_a)
    await send_reply(chat.id, "مشتری قدیمی است؛ تخفیف خدمات دارد.", by=desk.agent_a, internal=True)
    await desk.ingest(sms("09121234567", "مدل دستگاه AC-24 است"), desk.team_a)
    await log_call(direction=CallDirection.IN, number="09121234567", by=desk.agent_a, outcome="پیگیری لازم است")
    case = await open_case(
        contact_id=contact.id, by=desk.agent_a, conversation_id=chat.id, subject="صدای زیاد کولر اسپلیت"
    )
    soon = datetime.now(UTC) + timedelta(hours=20)
    await Case.filter(id=case.id).update(first_response_due=soon - timedelta(hours=16), resolution_due=soon)
    await order_for(contact, await product())
    return contact


async def test_an_html_mail_with_script_and_onerror_is_shown_without_running_anything(desk: Desk, page: Page) -> None:
    logo = InboundAttachment("logo.png", "image/png", b"not really a png", content_id="<logo>")
    mail = await desk.ingest(
        email("supplier@example.ir", "فاکتور", "سلام، فاکتور پیوست است.", html=HOSTILE, attachments=(logo,)),
        desk.team_a,
    )
    dialogs: list[str] = []
    scripted: list[str] = []  # requests only a running script would make
    answered: list[str] = []  # anything of the mail that reached the server (the CSP blocks even the <img>)
    page.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
    page.on(
        "request", lambda r: scripted.append(r.url) if "pwned-script" in r.url or "pwned-onerror" in r.url else None
    )
    page.on("response", lambda r: answered.append(r.url) if "pwned" in r.url else None)
    await sign_in(page, desk.web.url, "agent_a")
    await page.goto(f"{desk.web.url}/admin/conversations/{mail.id}")
    body = page.frame_locator("iframe.mail-html").locator("body")
    await body.get_by_text("فاکتور پیوست است").wait_for()
    await page.frame_locator("iframe.mail-html").get_by_text("لینک").click()  # a javascript: link goes nowhere
    await page.wait_for_timeout(1000)  # long enough for an onerror or onload to have fired
    assert dialogs == [] and scripted == [] and answered == []
    frame = next(f for f in page.frames if f.url.endswith(f"/admin/messages/{mail.id}/html") or "html" in f.url)
    assert frame is not page.main_frame
    assert await page.evaluate("typeof window.__pwned") == "undefined"


async def test_the_call_desk_finds_a_contact_typed_in_persian_digits_and_pops_up_a_ringing_call(
    desk: Desk, page: Page
) -> None:
    contact = await _customer_with_history(desk)
    await sign_in(page, desk.web.url, "agent_a")
    await page.goto(desk.web.url + "/admin/calldesk")
    await page.fill("#number", "۰۹۱۲ ۱۲۳ ۴۵۶۷")
    await page.press("#number", "Enter")
    caller = page.locator("#caller")
    await caller.wait_for()
    assert contact.display_name in await caller.inner_text()
    assert "صدای زیاد کولر اسپلیت" in await page.locator("main").inner_text()
    assert "S-۱۴" in await page.locator("main").inner_text()  # the recent order, numbered in Persian digits
    await page.wait_for_function("document.documentElement.dataset.liveReady === '1'")
    await handle_cti_event(
        CtiEvent("newCall", "pbx-e2e-1", CallDirection.IN, from_number="09121234567", users=("201",))
    )
    popup = page.locator(".call-popup")
    await popup.wait_for()
    assert "مریم حسینی" in await popup.inner_text() and "تماس ورودی" in await popup.inner_text()
    await screenshot(page, "calldesk")


async def test_an_agent_of_team_a_gets_a_persian_403_page_for_a_team_b_conversation(desk: Desk, page: Page) -> None:
    theirs = await desk.conversation(desk.team_b, "پیام محرمانهٔ تیم ب")
    await sign_in(page, desk.web.url, "agent_a")
    response = await page.goto(f"{desk.web.url}/admin/conversations/{theirs.id}")
    assert response is not None and response.status == 403
    text = await page.locator("main").inner_text()
    assert "اجازهٔ دیدن این مورد را ندارید" in text and "محرمانه" not in text


async def test_every_work_page_shows_jalali_dates_in_persian_digits_and_screenshots_are_taken(
    desk: Desk, page: Page
) -> None:
    contact = await _customer_with_history(desk)
    case = await Case.get(contact_id=contact.id)
    await sign_in(page, desk.web.url, "agent_a")
    pages = {
        "inbox": "/admin/inbox",
        "conversation": f"/admin/conversations/{case.conversation_id}",
        "contact-timeline": f"/admin/contacts/{contact.id}",
        "contacts": "/admin/contacts",
        "calldesk-lookup": "/admin/calldesk?number=09121234567",
        "cases": "/admin/cases",
        "case": f"/admin/cases/{case.id}",
    }
    for name, path in pages.items():
        response = await page.goto(desk.web.url + path)
        assert response is not None and response.status == 200, name
        times = await page.evaluate(TIME_TEXTS)
        assert times, f"{name} shows no dates"
        assert [t for t in times if any(ch.isascii() and ch.isdigit() for ch in t)] == [], name
        assert dates_are_jalali(await page.content()) == [], name
        assert dates_are_jalali(await page.locator("body").inner_text()) == [], name
        if name in ("contact-timeline", "cases", "case"):
            await screenshot(page, name)


async def test_the_sms_reply_box_counts_parts_like_kavenegar_bills_them(desk: Desk, page: Page) -> None:
    by_sms = await desk.ingest(sms("09121234567", "سلام، قیمت پکیج؟"), desk.team_a)
    await sign_in(page, desk.web.url, "agent_a")
    await page.goto(f"{desk.web.url}/admin/conversations/{by_sms.id}")
    counter = page.locator("#sms-count")
    for text, parts in (
        ("س" * 70, "1"),
        ("س" * 71, "2"),
        ("س" * 134, "2"),
        ("س" * 135, "3"),
        ("a" * 160, "1"),
        ("a" * 161, "2"),
    ):
        await page.fill("#reply-text", text)
        assert await counter.get_attribute("data-parts") == parts, (len(text), text[0])
    assert "۳ پیامک" not in await counter.inner_text() and "۲ پیامک" in await counter.inner_text()


async def test_a_colleagues_status_change_tells_the_open_page_it_is_out_of_date(desk: Desk, page: Page) -> None:
    conversation = await desk.conversation(desk.team_a)
    await sign_in(page, desk.web.url, "agent_a")
    await page.goto(f"{desk.web.url}/admin/conversations/{conversation.id}")
    await page.wait_for_function("document.documentElement.dataset.liveReady === '1'")
    assert await page.locator("#stale-note").is_hidden()
    await set_status(conversation.id, ConversationStatus.PENDING, by=desk.manager)
    await page.locator("#stale-note").wait_for()
    assert "همکار دیگری تغییر داده است" in await page.locator("#stale-note").inner_text()
