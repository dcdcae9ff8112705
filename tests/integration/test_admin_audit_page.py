"""The audit page: admins only, filters by user, record kind and Jalali dates typed in any digit set, paging."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.actions.audit import record_raw
from core.models import AuditLog, Role
from tests.support.seed import seed_user
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]

ROW = re.compile(r"<tr>\s*<td data-label=\"زمان\"><time>")


async def _row_at(
    at: datetime, action: str, object_type: str, object_id: str, user: object = None, **changes: object
) -> None:
    await record_raw(user, action, object_type, object_id, **changes)  # type: ignore[arg-type]
    last = await AuditLog.all().order_by("-id").first()
    await AuditLog.filter(id=last.id).update(at=at)  # type: ignore[union-attr]


async def _admin(web: WebServer) -> WebBrowser:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    browser = web.browser()
    await browser.sign_in("sara")
    return browser


async def test_the_audit_page_shows_who_did_what_in_persian_with_jalali_times(web: WebServer) -> None:
    browser = await _admin(web)
    reza = await seed_user("reza", "رضا کریمی")
    await _row_at(
        datetime(2025, 3, 25, 10, 0, tzinfo=UTC), "user.update", "user", str(reza.id), None, role=["agent", "sales"]
    )
    try:
        status, page = await browser.get("/admin/audit?object_type=user")
        assert status == 200
        assert "۵ فروردین ۱۴۰۴، ساعت ۱۳:۳۰" in page and "ویرایش کاربر" in page
        assert "نقش: کارشناس پاسخگویی ← فروش" in page
    finally:
        await browser.close()


async def test_the_audit_page_filters_by_jalali_dates_typed_in_any_digit_set(web: WebServer) -> None:
    browser = await _admin(web)
    await _row_at(datetime(2025, 3, 20, 19, 0, tzinfo=UTC), "team.create", "team", "1", name="پیش از نوروز")
    await _row_at(datetime(2025, 3, 20, 20, 45, tzinfo=UTC), "team.create", "team", "2", name="بامداد نوروز")
    await _row_at(datetime(2025, 3, 25, 10, 0, tzinfo=UTC), "team.create", "team", "3", name="پنجم فروردین")
    await _row_at(datetime(2025, 4, 10, 6, 0, tzinfo=UTC), "team.create", "team", "4", name="بیست‌ویکم")
    try:
        for start, end in (
            ("۱۴۰۴/۰۱/۰۱", "١٤٠٤/١/١٠"),
            ("1404-1-1", "1404.01.10"),
            ("۱ فروردین ۱۴۰۴", "۱۰ فروردین ۱۴۰۴"),
        ):
            status, page = await browser.get(f"/admin/audit?object_type=team&from={start}&to={end}")
            assert status == 200 and "بامداد نوروز" in page and "پنجم فروردین" in page, (start, end)
            assert "پیش از نوروز" not in page and "بیست‌ویکم" not in page
        status, page = await browser.get("/admin/audit?object_type=team&to=۱۴۰۴/۰۱/۰۵")
        assert "پنجم فروردین" in page and "بیست‌ویکم" not in page
    finally:
        await browser.close()


async def test_a_date_that_cannot_be_read_is_explained_and_the_rest_still_shows(web: WebServer) -> None:
    browser = await _admin(web)
    await _row_at(datetime(2025, 3, 25, 10, 0, tzinfo=UTC), "team.create", "team", "3", name="پنجم فروردین")
    try:
        status, page = await browser.get("/admin/audit?from=2025/03/25&to=فردا")
        assert status == 200 and "۱۴۰۵/۰۱/۳۱" in page and "پنجم فروردین" in page
        assert page.count("خوانده نشد") == 2
    finally:
        await browser.close()


async def test_the_audit_page_filters_by_user_and_kind(web: WebServer) -> None:
    browser = await _admin(web)
    reza, mina = await seed_user("reza", "رضا کریمی"), await seed_user("mina", "مینا احمدی")
    at = datetime(2025, 3, 25, 10, 0, tzinfo=UTC)
    await _row_at(at, "contact.update", "contact", "7", reza, notes=["", "تماس گرفت"])
    await _row_at(at, "contact.update", "contact", "8", mina, notes=["", "ایمیل زد"])
    await _row_at(at, "case.status", "case", "9", reza, status=["new", "open"])
    try:
        status, page = await browser.get(f"/admin/audit?user={reza.id}&object_type=contact")
        assert "تماس گرفت" in page and "ایمیل زد" not in page and "new" not in page
        status, page = await browser.get(f"/admin/audit?user={reza.id}")
        assert status == 200 and "تماس گرفت" in page and "مخاطب ۷" in page and "پرونده ۹" in page
    finally:
        await browser.close()


async def test_the_audit_page_shows_fifty_rows_a_page_newest_first(web: WebServer) -> None:
    browser = await _admin(web)
    await AuditLog.bulk_create(
        [
            AuditLog(action="team.rename", object_type="team", object_id=str(i), changes={"name": [f"t{i}", f"n{i}"]})
            for i in range(120)
        ]
    )
    try:
        status, page = await browser.get("/admin/audit?object_type=team")
        assert len(ROW.findall(page)) == 50 and "صفحهٔ ۱ از ۳" in page and "n۱۱۹" in page
        assert 'href="/admin/audit?object_type=team&amp;page=2"' in page
        status, page = await browser.get("/admin/audit?object_type=team&page=۳")
        assert len(ROW.findall(page)) == 20 and "صفحهٔ ۳ از ۳" in page and "n۰<" in page
        status, page = await browser.get("/admin/audit?object_type=team&page=99")
        assert status == 200 and "صفحهٔ ۳ از ۳" in page
    finally:
        await browser.close()


async def test_failed_sign_ins_show_on_the_audit_page(web: WebServer) -> None:
    browser = await _admin(web)
    intruder = web.browser()
    try:
        await intruder.sign_in("sara", "guess-password")
        status, page = await browser.get("/admin/audit?object_type=login")
        assert status == 200 and "ورود ناموفق" in page and "ورود sara" in page
    finally:
        await intruder.close()
        await browser.close()
