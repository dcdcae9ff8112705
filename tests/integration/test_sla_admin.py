"""The SLA and business-calendar admin pages over HTTP: who may open them, what saving changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.actions.sla import ensure_default_policies
from core.bizcal import parse_working_hours
from core.jalali import parse_jalali_date
from core.models import Case, CaseType, Holiday, Priority, Role, Setting, SlaPolicy
from tests.support.alarms import case_opened_at, staffed_team
from tests.support.seed import seed_user
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]


async def signed_in(web: WebServer, username: str) -> WebBrowser:
    browser = web.browser()
    status, _ = await browser.sign_in(username)
    assert status == 302
    return browser


async def test_a_manager_changes_a_policy_and_the_open_cases_get_new_due_times(web: WebServer) -> None:
    staff = await staffed_team()
    await ensure_default_policies()
    case = await case_opened_at(datetime.now(UTC))
    browser = await signed_in(web, staff.manager.username)
    status, page = await browser.get("/admin/sla")
    assert status == 200 and "مهلت‌های پاسخ و حل" in page and 'value="۲۴۰"' in page
    form = {
        "case_type": "service",
        "priority": "normal",
        "first_response_minutes": "۱۲۰",
        "resolution_minutes": "960",
        "warning_percent": "۷۵",
        "active": "on",
    }
    status, where = await browser.post("/admin/sla", form)
    assert (status, where) == (302, "/admin/sla")
    policy = await SlaPolicy.get(case_type=CaseType.SERVICE, priority=Priority.NORMAL)
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.warning_percent) == (120, 960, 75)
    assert (await Case.get(id=case.id)).first_response_due is not None
    _, page = await browser.get("/admin/sla")
    assert "پرونده‌های باز دوباره محاسبه شدند" in page
    status, page = await browser.post("/admin/sla", {**form, "warning_percent": "۱۵۰"})
    assert status == 400 and "درصد هشدار عددی از ۱ تا ۱۰۰" in page
    await browser.close()


async def test_an_agent_may_not_open_the_sla_rules_or_calendar_pages(web: WebServer) -> None:
    await seed_user("reza", "رضا محمدی", role=Role.AGENT)
    browser = await signed_in(web, "reza")
    for path in ("/admin/sla", "/admin/alarms/rules", "/admin/alarms", "/admin/calendar"):
        status, _ = await browser.get(path)
        assert status == 403, path
    status, page = await browser.get("/admin/alarms/me")
    assert status == 200 and "گرفتن کد" in page
    await browser.close()


async def test_working_hours_and_holidays_are_edited_in_persian_on_the_calendar_page(web: WebServer) -> None:
    await seed_user("maryam", "مریم کاظمی", role=Role.MANAGER)
    browser = await signed_in(web, "maryam")
    status, page = await browser.get("/admin/calendar?year=1405")
    assert status == 200 and 'value="۰۸:۰۰-۱۶:۰۰"' in page
    hours = {"saturday": "۰۸:۰۰-۱۷:۰۰", "sunday": "08:00-16:00", "monday": "08:00-16:00", "tuesday": "08:00-16:00"}
    hours |= {"wednesday": "08:00-12:00، 13:00-16:00", "thursday": "", "friday": ""}
    assert (await browser.post("/admin/calendar/hours", hours))[0] == 302
    stored = parse_working_hours((await Setting.get(key="calendar.working_hours")).value)
    assert stored[5] == ((480, 1020),) and stored[3] == () and stored[2] == ((480, 720), (780, 960))
    status, page = await browser.post("/admin/calendar/hours", {**hours, "monday": "۱۶:۰۰-۰۸:۰۰"})
    assert status == 400 and "۰۸:۰۰-۱۶:۰۰" in page
    form = {"date": "۱۴۰۵/۰۴/۱۴", "name": "تاسوعا"}
    assert (await browser.post("/admin/calendar/holidays", form))[0] == 302
    status, page = await browser.post("/admin/calendar/holidays", form)
    assert status == 400  # already a holiday
    holiday = await Holiday.get(date=parse_jalali_date("1405/04/14"))
    assert holiday.name == "تاسوعا"
    lines = "۱۴۰۵/۰۴/۱۵,عاشورا\nnot a date,اشتباه"
    status, _ = await browser.post("/admin/calendar/import", {"lines": lines})
    _, page = await browser.get("/admin/calendar?year=1405")
    assert "عاشورا" in page and "این سطرها پذیرفته نشد: ۲" in page
    assert (await browser.post("/admin/calendar/seed", {"year": "1405"}))[0] == 302
    assert await Holiday.filter(date__gte=parse_jalali_date("1405/01/01")).count() == 12
    delete = re.search(r"/admin/calendar/holidays/(\d+)/delete", page)
    assert delete is not None
    assert (await browser.post(delete.group(0), {}))[0] == 302
    assert await Holiday.filter(date__gte=parse_jalali_date("1405/01/01")).count() == 11
    await browser.close()
