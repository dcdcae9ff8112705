"""The shared inbox page over HTTP: what each row shows, filters with counts, Persian search, paging, access."""

from __future__ import annotations

import re

from core.actions.conversations import assign, set_labels, set_status
from core.actions.outbox import send_reply
from core.models import ConversationStatus
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.inbound import sms
from tests.support.web import web

__all__ = ["desk", "web"]


def _rows(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-conversation="(\d+)"', page)]


def _count(page: str, view: str) -> str:
    found = re.search(rf'data-view="{view}">[^<]*<span class="count">([^<]+)</span>', page)
    assert found, view
    return found.group(1)


async def test_a_row_shows_contact_channel_excerpt_status_assignee_and_a_jalali_time(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a, "سلام، کولر گازی روشن نمی‌شود", name="مریم حسینی")
    await assign(conversation.id, by=None, user_id=desk.agent_a.id)
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get("/admin/inbox")
    assert status == 200
    assert _rows(page) == [conversation.id]
    row = page[page.index(f'data-conversation="{conversation.id}"') :]
    for text in ("مریم حسینی", "تلگرام", "در دست ربات", "کولر گازی روشن نمی‌شود", "سارا احمدی"):
        assert text in row[:3000], text
    assert re.search(r"<time[^>]*>[۰-۹]{1,2} [آ-ی]+ ۱۴[۰-۹]{2}، ساعت [۰-۹]{2}:[۰-۹]{2}</time>", row)
    assert dates_are_jalali(page) == []


async def test_an_outbound_reply_is_the_excerpt_marked_as_ours(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a, "قیمت کولر چند است؟")
    await send_reply(conversation.id, "قیمت را پیامک می‌کنیم", by=desk.agent_a)
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get("/admin/inbox")
    assert "شما: </span>قیمت را پیامک می‌کنیم" in page


async def test_mine_unassigned_and_team_views_narrow_the_list_and_show_their_counts(desk: Desk) -> None:
    mine = await desk.conversation(desk.team_a)
    await assign(mine.id, by=None, user_id=desk.agent_a.id)
    ours = await desk.conversation(desk.team_a)
    pool = await desk.conversation(None)
    await desk.conversation(desk.team_b)  # never shown to agent_a
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get("/admin/inbox")
    assert sorted(_rows(page)) == sorted([mine.id, ours.id, pool.id])
    assert [_count(page, v) for v in ("all", "mine", "unassigned", "team")] == ["۳", "۱", "۲", "۲"]
    assert _rows((await browser.get("/admin/inbox?view=mine"))[1]) == [mine.id]
    assert sorted(_rows((await browser.get("/admin/inbox?view=unassigned"))[1])) == sorted([ours.id, pool.id])
    assert sorted(_rows((await browser.get("/admin/inbox?view=team"))[1])) == sorted([mine.id, ours.id])


async def test_status_channel_and_label_filters(desk: Desk) -> None:
    telegram_open = await desk.conversation(desk.team_a)
    resolved = await desk.conversation(desk.team_a)
    await set_status(resolved.id, ConversationStatus.RESOLVED, by=None)
    by_sms = await desk.ingest(sms("09121112233", "سلام"), desk.team_a)
    await set_labels(by_sms.id, ["گارانتی"], by=None)
    browser = await desk.signed_in("agent_a")
    assert sorted(_rows((await browser.get("/admin/inbox"))[1])) == sorted([telegram_open.id, by_sms.id])
    assert _rows((await browser.get("/admin/inbox?status=resolved"))[1]) == [resolved.id]
    assert len(_rows((await browser.get("/admin/inbox?status=any"))[1])) == 3
    assert _rows((await browser.get("/admin/inbox?channel=sms"))[1]) == [by_sms.id]
    assert _rows((await browser.get("/admin/inbox?label=%DA%AF%D8%A7%D8%B1%D8%A7%D9%86%D8%AA%DB%8C"))[1]) == [by_sms.id]
    status, page = await browser.get("/admin/inbox?channel=pigeon")
    assert status == 200 and "اطلاعات فرم درست نیست" in page


async def test_search_is_persian_normalized_and_finds_a_phone_typed_in_persian_digits(desk: Desk) -> None:
    ali = await desk.conversation(desk.team_a, "درخواست نصب", name="علی کریمی")
    text = await desk.conversation(desk.team_a, "پكيج ديواري خراب است", name="نگار")  # Arabic ي and ك
    phone = await desk.ingest(sms("09127654321", "سلام"), desk.team_a)
    browser = await desk.signed_in("agent_a")
    assert _rows((await browser.get("/admin/inbox?q=علي"))[1]) == [ali.id]  # Arabic ي finds Persian ی
    assert _rows((await browser.get("/admin/inbox?q=پکیج دیواری"))[1]) == [text.id]
    assert _rows((await browser.get("/admin/inbox?q=۰۹۱۲۷۶۵"))[1]) == [phone.id]


async def test_paging_shows_twenty_five_a_page_with_persian_counts(desk: Desk) -> None:
    for i in range(27):
        await desk.conversation(desk.team_a, f"پیام {i}")
    browser = await desk.signed_in("agent_a")
    _, first = await browser.get("/admin/inbox")
    assert len(_rows(first)) == 25 and "۱ تا ۲۵ از ۲۷" in first and "offset=25" in first
    _, second = await browser.get("/admin/inbox?view=all&offset=25")
    assert len(_rows(second)) == 2 and "۲۶ تا ۲۷ از ۲۷" in second


async def test_the_rows_part_is_only_the_list_for_the_live_refresh(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    status, part = await browser.get("/admin/inbox?part=rows")
    assert status == 200 and _rows(part) == [conversation.id] and "<html" not in part


async def test_a_manager_sees_every_team_and_a_signed_out_visitor_is_sent_to_sign_in(desk: Desk) -> None:
    a, b = await desk.conversation(desk.team_a), await desk.conversation(desk.team_b)
    browser = await desk.signed_in("manager")
    assert sorted(_rows((await browser.get("/admin/inbox"))[1])) == sorted([a.id, b.id])
    anonymous = desk.web.browser()
    desk.browsers.append(anonymous)
    status, location = await anonymous.get("/admin/inbox")
    assert status == 302 and location.startswith("/admin/login")
