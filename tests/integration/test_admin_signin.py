"""Staff sign-in: sessions, CSRF on every form, a limit on failed attempts, sign-out."""

from __future__ import annotations

from core.actions.staff import create_user
from core.models import AuditLog, Role
from tests.support.web import WebServer, web

__all__ = ["web"]


async def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(web: WebServer) -> None:
    browser = web.browser()
    try:
        status, location = await browser.get("/admin/")
        assert status == 302 and location.startswith("/admin/login")
        status, page = await browser.get("/admin/login")
        assert status == 200 and 'dir="rtl"' in page and "ورود به پیک" in page
    finally:
        await browser.close()


async def test_staff_signs_in_with_the_right_password_and_sees_the_dashboard(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT, full_name="زهرا احمدی")
    browser = web.browser()
    try:
        status, location = await browser.sign_in("zahra")
        assert (status, location) == (302, "/admin/")
        status, page = await browser.get("/admin/")
        assert status == 200 and "زهرا احمدی" in page and "پیشخوان" in page
        assert await AuditLog.exists(action="login.ok", object_id="zahra")
    finally:
        await browser.close()


async def test_a_wrong_password_is_refused_in_persian(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT)
    browser = web.browser()
    try:
        status, page = await browser.sign_in("zahra", "wrong-password")
        assert status == 401 and "نام کاربری یا گذرواژه درست نیست" in page
        assert (await browser.get("/admin/"))[0] == 302
    finally:
        await browser.close()


async def test_a_form_posted_without_its_csrf_token_is_refused(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT)
    browser = web.browser()
    try:
        await browser.get("/admin/login")
        status, _ = await browser.post("/admin/login", {"username": "zahra", "password": "a-long-password"}, csrf=False)
        assert status == 403
        await browser.sign_in("zahra")
        status, _ = await browser.post("/admin/logout", {}, csrf=False)
        assert status == 403
        assert (await browser.get("/admin/"))[0] == 200  # still signed in: the forged logout did nothing
    finally:
        await browser.close()


async def test_after_five_failures_even_the_right_password_waits(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT)
    browser = web.browser()
    try:
        for _ in range(5):
            assert (await browser.sign_in("zahra", "guess"))[0] == 401
        status, page = await browser.sign_in("zahra")
        assert status == 401 and "پانزده دقیقه" in page
    finally:
        await browser.close()


async def test_sign_out_ends_the_session(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT)
    browser = web.browser()
    try:
        await browser.sign_in("zahra")
        await browser.get("/admin/")
        status, location = await browser.post("/admin/logout", {})
        assert (status, location) == (302, "/admin/login")
        assert (await browser.get("/admin/"))[0] == 302
    finally:
        await browser.close()


async def test_a_redirect_after_sign_in_never_leaves_the_admin(web: WebServer) -> None:
    await create_user("zahra", "a-long-password", role=Role.AGENT)
    browser = web.browser()
    try:
        await browser.get("/admin/login")
        form = {"username": "zahra", "password": "a-long-password", "next": "//evil.example/x"}
        status, location = await browser.post("/admin/login", form)
        assert (status, location) == (302, "/admin/")
    finally:
        await browser.close()
