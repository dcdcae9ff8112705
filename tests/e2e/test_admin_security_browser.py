"""Sign-in, roles, users and teams in headless Chromium: what staff see and click, checked in the database."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page

from core.models import AuditLog, Case, Contact, Conversation, Lead, Role, Task, Team, User
from tests.support.browser import PHONE, new_page, png_size, screenshot, sign_in
from tests.support.seed import seed_user
from tests.support.staff import give_work
from tests.support.web import WebServer, web

__all__ = ["web"]


def _local_only(page: Page, base: str) -> list[str]:
    """Collect every request that leaves the app (a CDN font or script would show up here)."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else outside.append(r.url))
    return outside


async def test_an_agent_signs_in_through_the_form_and_sees_the_persian_dashboard(web: WebServer, page: Page) -> None:
    await seed_user("zahra", "زهرا احمدی", role=Role.AGENT)
    outside = _local_only(page, web.url)
    await sign_in(page, web.url, "zahra")
    assert page.url == web.url + "/admin/"
    assert await page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert await page.locator("h1").inner_text() == "پیشخوان"
    assert "زهرا احمدی" in await page.locator("header.top").inner_text()
    await page.evaluate("document.fonts.ready.then(() => true)")
    loaded = "[...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded')"
    assert await page.evaluate(loaded)
    assert await page.locator("header.top nav a", has_text="کاربران").count() == 0  # not an admin's menu
    desktop, phone = await screenshot(page, "dashboard")
    assert png_size(desktop)[0] == 1280 and png_size(phone)[0] == PHONE["width"]
    assert outside == []


async def test_an_anonymous_visitor_signs_in_and_lands_on_the_page_they_asked_for(web: WebServer, page: Page) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await page.goto(web.url + "/admin/users")
    assert page.url.startswith(web.url + "/admin/login")
    await page.fill("#username", "sara")
    await page.fill("#password", "a-long-password")
    await page.get_by_role("button", name="ورود").click()
    await page.wait_for_url(web.url + "/admin/users")
    await page.get_by_role("button", name="خروج").click()
    await page.wait_for_url(re.compile(r".*/admin/login$"))
    assert "از سامانه خارج شدید" in await page.content()


async def test_an_admin_creates_a_team_and_a_user_by_clicking(web: WebServer, page: Page, chromium: Browser) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await sign_in(page, web.url, "sara")
    await page.locator("header.top nav").get_by_role("link", name="تیم‌ها").click()
    await page.fill("#team-name", "مرکز تماس")
    await page.get_by_role("button", name="ساختن تیم").click()
    await page.wait_for_url(re.compile(r".*/admin/teams/\d+$"))
    assert "تیم «مرکز تماس» ساخته شد" in await page.locator(".flash").inner_text()
    team = await Team.get(name="مرکز تماس")

    await page.locator("header.top nav").get_by_role("link", name="کاربران").click()
    await page.get_by_role("link", name="کاربر تازه").click()
    await page.fill("#username", "reza")
    await page.fill("#full_name", "رضا کریمی")
    await page.select_option("#role", "agent")
    await page.select_option("#team_id", label="مرکز تماس")
    await page.select_option("#scope", "own")
    await page.fill("#extension", "۱۰۲")
    await page.get_by_role("button", name="ساختن کاربر").click()
    password = await page.locator("#new-password").inner_text()
    reza = await User.get(username="reza")
    assert (reza.team_id, reza.scope.value, reza.extension) == (team.id, "own", "102")
    assert await AuditLog.exists(action="user.create", object_id=str(reza.id))

    await page.goto(web.url + "/admin/users")
    assert await page.locator("#users tr[data-username=reza]").count() == 1
    desktop, phone = await screenshot(page, "users")
    assert png_size(desktop)[0] == 1280 and png_size(phone)[0] == PHONE["width"]

    second = await new_page(chromium)
    try:
        await sign_in(second, web.url, "reza", password)
        assert await second.locator("h1").inner_text() == "پیشخوان"
    finally:
        await second.context.close()


async def test_an_admin_deactivates_a_user_handing_their_records_to_another(web: WebServer, page: Page) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    reza, mina = await seed_user("reza", "رضا کریمی"), await seed_user("mina", "مینا احمدی")
    work = await give_work(reza)
    await sign_in(page, web.url, "sara")
    await page.goto(web.url + "/admin/users")
    await page.get_by_role("link", name="رضا کریمی").click()
    await page.select_option("#hand_to", str(mina.id))
    await page.check("input[name=confirm]")
    await page.get_by_role("button", name="غیرفعال‌کردن و تحویل").click()
    await page.wait_for_selector("#inactive-badge")
    assert "به «مینا احمدی» سپرده شد" in await page.locator(".flash").inner_text()
    await screenshot(page, "user-deactivated")
    assert not (await User.get(id=reza.id)).is_active
    models = {"conversation": (Conversation, "assignee_id"), "case": (Case, "assignee_id"), "lead": (Lead, "owner_id")}
    models |= {"task": (Task, "owner_id"), "contact": (Contact, "owner_id")}
    for kind, (model, column) in models.items():
        assert set(await model.filter(id__in=work.open[kind]).values_list(column, flat=True)) == {mina.id}, kind
        assert await AuditLog.filter(action=f"{kind}.handover").count() == len(work.open[kind])
    for kind, ids in work.done.items():
        model, column = models[kind]
        assert set(await model.filter(id__in=ids).values_list(column, flat=True)) == {reza.id}, kind
    await page.locator("header.top nav").get_by_role("link", name="گزارش تغییرات").click()
    assert await page.locator("#audit td", has_text="تحویل گفتگو").count() == len(work.open["conversation"])
    await screenshot(page, "audit")


async def test_a_non_admin_gets_the_persian_403_page(web: WebServer, page: Page) -> None:
    await seed_user("zahra", "زهرا احمدی", role=Role.AGENT)
    await sign_in(page, web.url, "zahra")
    for path in ("/admin/users", "/admin/teams", "/admin/audit"):
        response = await page.goto(web.url + path)
        assert response is not None and response.status == 403, path
        assert await page.locator("h1").inner_text() == "دسترسی ندارید"
        assert await page.evaluate("document.documentElement.dir") == "rtl"
    await screenshot(page, "forbidden")


async def test_a_form_posted_without_its_csrf_token_is_refused_in_the_browser(web: WebServer, page: Page) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await sign_in(page, web.url, "sara")
    await page.goto(web.url + "/admin/teams")
    await page.fill("#team-name", "تیم بی‌نشانه")
    await page.evaluate("document.querySelector('#team-form input[name=csrf_token]').remove()")
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="ساختن تیم").click()
    response = await navigation.value
    assert response is not None and response.status == 403
    assert "نشانهٔ امنیتی فرم" in await page.content()
    assert not await Team.exists(name="تیم بی‌نشانه")
