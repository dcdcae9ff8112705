"""The conversation page over HTTP: the thread, reply and note, the staff actions, files, HTML mail, access, CSRF."""

from __future__ import annotations

import re

from core.actions.outbox import send_reply
from core.inbound import InboundAttachment
from core.models import (
    Case,
    Contact,
    Conversation,
    ConversationStatus,
    Lead,
    Message,
    MessageStatus,
    OutboundMessage,
    Priority,
)
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.inbound import email, sms, telegram
from tests.support.web import web

__all__ = ["desk", "web"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
HOSTILE_MAIL = (
    '<p>سلام</p><script>alert("x")</script><img src="cid:logo" onerror="alert(1)"><a href="javascript:alert(2)">x</a>'
)


async def test_the_thread_shows_inbound_outbound_and_notes_in_order_styled_apart(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a, "سلام، کولر صدا می‌دهد")
    await send_reply(conversation.id, "لطفاً مدل دستگاه را بفرمایید", by=desk.agent_a)
    await send_reply(conversation.id, "مشتری قبلاً هم تماس گرفته بود", by=desk.agent_a, internal=True)
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/conversations/{conversation.id}")
    assert status == 200
    kinds = re.findall(r'<article class="msg msg-(in|out|note)"', page)
    assert kinds == ["in", "out", "note"]
    assert page.index("کولر صدا می‌دهد") < page.index("مدل دستگاه") < page.index("قبلاً هم تماس")
    assert "یادداشت داخلی" in page and "در صف ارسال" in page
    assert dates_are_jalali(page) == []


async def test_a_reply_is_queued_on_the_conversation_channel_and_a_note_never_leaves(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    status, location = await browser.post(f"{path}/reply", {"text": "سلام، همکاران ما تماس می‌گیرند", "internal": "0"})
    assert (status, location) == (302, f"{path}#compose")
    _, page = await browser.get(path)
    assert "پاسخ در صف ارسال قرار گرفت" in page and "یادداشت داخلی ثبت شد" not in page
    status, location = await browser.post(f"{path}/reply", {"text": "پیگیری از انبار", "internal": "1"})
    assert status == 302
    reply = await Message.get(text="سلام، همکاران ما تماس می‌گیرند")
    note = await Message.get(text="پیگیری از انبار")
    assert (reply.channel.value, reply.internal, reply.author_id) == ("telegram", False, desk.agent_a.id)
    assert (note.internal, note.status) == (True, MessageStatus.NOTE)
    outbound = await OutboundMessage.all()
    assert [o.message_id for o in outbound] == [reply.id]
    _, page = await browser.get(path)
    assert "یادداشت داخلی ثبت شد" in page and "پاسخ در صف ارسال قرار گرفت" not in page


async def test_an_empty_reply_is_refused_with_a_persian_message(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    assert (await browser.post(f"{path}/reply", {"text": "   ", "internal": "0"}))[0] == 302
    _, page = await browser.get(path)
    assert "متن پاسخ خالی است" in page
    assert await OutboundMessage.all().count() == 0


async def test_a_reply_posted_without_its_csrf_token_is_refused_and_nothing_is_sent(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    for action, data in (
        ("reply", {"text": "بدون نشانه", "internal": "0"}),
        ("status", {"status": "closed"}),
        ("assign-me", {}),
        ("case", {"subject": "x"}),
    ):
        status, _ = await browser.post(f"{path}/{action}", data, csrf=False)
        assert status == 403, action
    assert await Message.filter(text="بدون نشانه").count() == 0
    assert (await Conversation.get(id=conversation.id)).status == ConversationStatus.BOT
    assert await Case.all().count() == 0


async def test_assign_status_priority_and_labels_change_the_conversation(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    await browser.post(f"{path}/assign", {"user_id": str(desk.agent_a.id), "team_id": str(desk.team_a.id)})
    await browser.post(f"{path}/status", {"status": "pending"})
    await browser.post(f"{path}/priority", {"priority": "urgent"})
    await browser.post(f"{path}/labels", {"labels": "گارانتی، نصب, فوری"})
    changed = await Conversation.get(id=conversation.id)
    assert changed.assignee_id == desk.agent_a.id and changed.team_id == desk.team_a.id
    assert (changed.status, changed.priority) == (ConversationStatus.PENDING, Priority.URGENT)
    assert changed.labels == ["گارانتی", "نصب", "فوری"]
    _, page = await browser.get(path)
    assert "اولویت فوری" in page and "گارانتی" in page and "در انتظار" in page


async def test_assign_to_me_and_handing_an_email_to_the_bot_is_explained(desk: Desk) -> None:
    mail = await desk.ingest(email("customer@example.ir", "استعلام قیمت", "قیمت؟"), desk.team_a)
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{mail.id}"
    await browser.get(path)
    await browser.post(f"{path}/assign-me", {})
    assert (await Conversation.get(id=mail.id)).assignee_id == desk.agent_a.id
    await browser.post(f"{path}/status", {"status": "bot"})
    _, page = await browser.get(path)
    assert "در این کانال ربات پاسخ نمی‌دهد" in page


async def test_a_conversation_turns_into_a_case_or_a_lead_from_the_page(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a, "پکیج دیواری آب نشتی دارد")
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{conversation.id}"
    await browser.get(path)
    await browser.post(f"{path}/case", {"subject": "", "type": "service", "priority": "high"})
    await browser.post(f"{path}/lead", {"title": "خرید پکیج تازه"})
    case = await Case.get(conversation_id=conversation.id)
    assert case.subject == "پکیج دیواری آب نشتی دارد" and case.priority == Priority.HIGH
    assert (await Lead.get(conversation_id=conversation.id)).title == "خرید پکیج تازه"
    _, page = await browser.get(path)
    assert f"/admin/cases/{case.id}" in page and "سرنخ فروش ایجاد شد" in page


async def test_a_conversation_is_linked_to_a_contact_found_by_search(desk: Desk) -> None:
    known = await desk.ingest(sms("09121234567", "سلام"), desk.team_a)
    contact = await Contact.get(id=known.contact_id)
    await Contact.filter(id=contact.id).update(display_name="امیر رضایی", name_search="امیر رضایی")
    stranger = await desk.conversation(desk.team_a, name="ناشناس تلگرام")
    browser = await desk.signed_in("agent_a")
    path = f"/admin/conversations/{stranger.id}"
    _, page = await browser.get(f"{path}?link_q=امير")
    assert "امیر رضایی" in page
    status, _ = await browser.post(f"{path}/contact", {"contact_id": str(contact.id)})
    assert status == 302
    assert (await Conversation.get(id=stranger.id)).contact_id == contact.id


async def test_an_agent_of_team_a_gets_403_for_every_page_action_and_file_of_a_team_b_conversation(desk: Desk) -> None:
    files = (InboundAttachment("photo.png", "image/png", PNG),)
    theirs = await desk.ingest(telegram(8_800_001, "عکس خرابی", attachments=files), desk.team_b)
    mail = await desk.ingest(email("b@example.ir", "نامه", "متن", html="<p>سلام</p>"), desk.team_b)
    picture = (await Message.filter(conversation_id=theirs.id).prefetch_related("attachments").first()).attachments[0]  # type: ignore[union-attr]
    mail_message = await Message.get(conversation_id=mail.id)
    browser = await desk.signed_in("agent_a")
    for path in (
        f"/admin/conversations/{theirs.id}",
        f"/admin/conversations/{theirs.id}/messages?after=0",
        f"/admin/attachments/{picture.id}",
        f"/admin/messages/{mail_message.id}/html",
    ):
        status, page = await browser.get(path)
        assert status == 403, path
        assert "اجازهٔ دیدن این مورد را ندارید" in page
    await browser.get("/admin/inbox")
    for action in ("reply", "assign-me", "status", "case", "lead", "labels"):
        status, _ = await browser.post(f"/admin/conversations/{theirs.id}/{action}", {"text": "x", "status": "closed"})
        assert status == 403, action
    assert await Message.filter(conversation_id=theirs.id).count() == 1
    assert (await browser.get("/admin/conversations/999999"))[0] == 404
    other = await desk.signed_in("agent_b")
    async with other.session.get(f"{desk.web.url}/admin/attachments/{picture.id}") as resp:
        assert resp.status == 200 and await resp.read() == PNG


async def test_pictures_show_inline_files_download_and_fax_pages_open_as_pdf(desk: Desk) -> None:
    files = (
        InboundAttachment("photo.png", "image/png", PNG),
        InboundAttachment("فاکتور.xlsx", "application/vnd.ms-excel", b"PK\x03\x04 sheet"),
        InboundAttachment("fax.pdf", "application/pdf", b"%PDF-1.4 fax pages"),
    )
    conversation = await desk.ingest(telegram(8_800_002, "مدارک", attachments=files), desk.team_a)
    rows = {
        a.name: a
        for a in (await Message.get(conversation_id=conversation.id).prefetch_related("attachments")).attachments
    }
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get(f"/admin/conversations/{conversation.id}")
    assert f'<img src="/admin/attachments/{rows["photo.png"].id}"' in page
    assert f'href="/admin/attachments/{rows["فاکتور.xlsx"].id}?download=1"' in page
    assert f'href="/admin/attachments/{rows["fax.pdf"].id}" target="_blank"' in page
    base = desk.web.url
    async with browser.session.get(f"{base}/admin/attachments/{rows['photo.png'].id}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png" and await resp.read() == PNG
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    async with browser.session.get(f"{base}/admin/attachments/{rows['فاکتور.xlsx'].id}?download=1") as resp:
        assert resp.content_type == "application/octet-stream"
        assert (
            resp.headers["Content-Disposition"].startswith("attachment;")
            and "UTF-8''" in resp.headers["Content-Disposition"]
        )
    async with browser.session.get(f"{base}/admin/attachments/{rows['fax.pdf'].id}") as resp:
        assert resp.content_type == "application/pdf" and resp.headers["Content-Disposition"].startswith("inline;")


async def test_an_html_mail_is_served_in_a_sandbox_that_runs_no_script(desk: Desk) -> None:
    logo = InboundAttachment("logo.png", "image/png", PNG, content_id="<logo>")
    # Stored as it came, to prove the page is safe even if ingest sanitizing ever missed something.
    mail = await desk.ingest(email("c@example.ir", "نامه", "سلام", html=HOSTILE_MAIL, attachments=(logo,)), desk.team_a)
    message = await Message.get(conversation_id=mail.id)
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get(f"/admin/conversations/{mail.id}")
    frame = re.search(r"<iframe[^>]*mail-html[^>]*>", page)
    assert frame and 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame.group(0)
    assert "allow-scripts" not in frame.group(0) and "allow-same-origin" not in frame.group(0)
    assert "<script>alert" not in page
    async with browser.session.get(f"{desk.web.url}/admin/messages/{message.id}/html") as resp:
        body = await resp.text()
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "sandbox" in csp and "default-src 'none'" in csp
    assert 'src="data:image/png;base64,' in body  # the cid: picture is inlined, nothing is fetched
