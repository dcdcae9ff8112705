"""Admin sessions live on the server: sign-out, a password reset and deactivation end them for good (issue 11.5)."""

from __future__ import annotations

import aiohttp
from yarl import URL

from core.actions.staff import issue_token
from core.models import AuditLog, Role, StaffSession
from tests.support.seed import seed_user
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]


def saved_cookie(browser: WebBrowser) -> str:
    """The session cookie as a thief (or a browser's back-up) would have copied it."""
    return browser.session.cookie_jar.filter_cookies(URL(browser.base))["peyk_session"].value


async def replay(web: WebServer, cookie: str, path: str = "/admin/") -> tuple[int, str]:
    """GET `path` from a fresh client that presents only the saved cookie."""
    async with aiohttp.ClientSession(cookies={"peyk_session": cookie}) as client:
        async with client.get(web.url + path, allow_redirects=False) as resp:
            return resp.status, resp.headers.get("Location", "")


async def api_status(web: WebServer, token: str) -> int:
    async with aiohttp.ClientSession() as client:
        async with client.get(web.url + "/api/v1/contacts", headers={"Authorization": f"Bearer {token}"}) as resp:
            return resp.status


async def test_a_cookie_saved_before_sign_out_signs_nobody_in_after_it(web: WebServer) -> None:
    zahra = await seed_user("zahra", "زهرا احمدی")
    browser = web.browser()
    try:
        assert (await browser.sign_in("zahra"))[0] == 302
        cookie = saved_cookie(browser)
        assert (await replay(web, cookie))[0] == 200  # the copy works while the session is live
        row = await StaffSession.get(user_id=zahra.id)
        assert row.revoked_at is None and row.ip == "127.0.0.1" and cookie not in row.id
        await browser.get("/admin/")
        assert await browser.post("/admin/logout", {}) == (302, "/admin/login")
        status, location = await replay(web, cookie)
        assert status == 302 and location.startswith("/admin/login")
        async with aiohttp.ClientSession(cookies={"peyk_session": cookie}) as client:
            async with client.get(web.url + "/admin/events", headers={"Accept": "text/event-stream"}) as resp:
                assert resp.status == 401
        assert (await StaffSession.get(user_id=zahra.id)).revoked_at is not None
        assert await AuditLog.exists(action="logout", object_id="zahra")
    finally:
        await browser.close()


async def test_a_password_reset_ends_every_session_and_revokes_the_api_tokens_as_the_page_says(
    web: WebServer,
) -> None:
    await seed_user("maryam", "مریم رضایی", role=Role.ADMIN)
    zahra = await seed_user("zahra", "زهرا احمدی")
    token = await issue_token(zahra, "crm-sync")
    laptop, phone, admin = web.browser(), web.browser(), web.browser()
    try:
        await laptop.sign_in("zahra")
        await phone.sign_in("zahra")
        assert await api_status(web, token) == 200
        await admin.sign_in("maryam")
        status, page = await admin.get(f"/admin/users/{zahra.id}")
        assert status == 200 and "همهٔ کلیدهای API او باطل می‌شود" in page
        status, page = await admin.post(f"/admin/users/{zahra.id}/password", {"password": ""})
        assert status == 200 and "همهٔ کلیدهای API او باطل شد" in page
        assert (await laptop.get("/admin/"))[0] == 302
        assert (await phone.get("/admin/"))[0] == 302
        assert await api_status(web, token) == 401
        changes = (await AuditLog.get(action="user.password_reset")).changes
        assert changes["sessions_revoked"] == 2 and changes["tokens_revoked"] == 1
        assert (await admin.get("/admin/"))[0] == 200  # the admin's own session is not the user's
    finally:
        for browser in (laptop, phone, admin):
            await browser.close()


async def test_an_admin_who_resets_their_own_password_stays_signed_in_only_where_they_did_it(web: WebServer) -> None:
    maryam = await seed_user("maryam", "مریم رضایی", role=Role.ADMIN)
    token = await issue_token(maryam, "reports")
    here, elsewhere = web.browser(), web.browser()
    try:
        await here.sign_in("maryam")
        await elsewhere.sign_in("maryam")
        await here.get(f"/admin/users/{maryam.id}")
        status, _ = await here.post(f"/admin/users/{maryam.id}/password", {"password": "a-new-long-password"})
        assert status == 200
        assert (await here.get("/admin/"))[0] == 200
        assert (await elsewhere.get("/admin/"))[0] == 302
        assert await api_status(web, token) == 401  # her own tokens go too: the old password may have leaked
    finally:
        await here.close()
        await elsewhere.close()


async def test_reactivating_a_user_does_not_bring_back_the_sessions_deactivation_ended(web: WebServer) -> None:
    await seed_user("maryam", "مریم رضایی", role=Role.ADMIN)
    zahra = await seed_user("zahra", "زهرا احمدی")
    browser, admin = web.browser(), web.browser()
    try:
        await browser.sign_in("zahra")
        cookie = saved_cookie(browser)
        await admin.sign_in("maryam")
        await admin.get(f"/admin/users/{zahra.id}")
        assert (await admin.post(f"/admin/users/{zahra.id}/deactivate", {"confirm": "yes"}))[0] == 302
        await admin.get(f"/admin/users/{zahra.id}")
        assert (await admin.post(f"/admin/users/{zahra.id}/reactivate", {}))[0] == 302
        assert (await replay(web, cookie))[0] == 302
        assert (await browser.sign_in("zahra"))[0] == 302  # she signs in afresh
        assert (await browser.get("/admin/"))[0] == 200
    finally:
        await browser.close()
        await admin.close()
