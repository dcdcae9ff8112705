"""Failures under /admin become Persian pages with the right status, never a traceback or an English default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web as aioweb
from aiohttp.test_utils import TestServer

from admin.app import create_app
from admin.web.roles import require_role
from admin.web.route_areas import ROUTES, RouteArea
from core.areas import Area
from core.config import Settings
from core.errors import Forbidden, NotFound
from core.models import Role
from tests.support.seed import seed_user
from tests.support.web import WebServer


async def _boom(request: aioweb.Request) -> aioweb.Response:
    raise RuntimeError("secret-internal-detail: SELECT * FROM staff_user")


async def _forbidden(request: aioweb.Request) -> aioweb.Response:
    raise Forbidden("you may not see conversation 7")


async def _missing(request: aioweb.Request) -> aioweb.Response:
    raise NotFound("conversation 7 not found")


async def _sales_only(request: aioweb.Request) -> aioweb.Response:
    user = require_role(request, Role.SALES)
    return aioweb.Response(text=f"hello {user.username}")


@pytest.fixture
async def faulty(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebServer]:
    """The app plus a few /admin routes that fail on purpose (declared in an area, as every page must be)."""
    for name in ("boom", "forbidden", "missing", "sales"):
        monkeypatch.setitem(ROUTES, ("GET", f"/admin/test/{name}"), RouteArea(Area.ACCOUNT, False))
    app = create_app(Settings(database_url=db, data_dir=tmp_path / "data", secret_key="e" * 32))
    app.router.add_get("/admin/test/boom", _boom)
    app.router.add_get("/admin/test/forbidden", _forbidden)
    app.router.add_get("/admin/test/missing", _missing)
    app.router.add_get("/admin/test/sales", _sales_only)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield WebServer(server)
    finally:
        await server.close()


async def test_a_crash_shows_the_persian_500_page_without_any_internals(faulty: WebServer) -> None:
    await seed_user("reza", "رضا کریمی")
    browser = faulty.browser()
    try:
        await browser.sign_in("reza")
        status, page = await browser.get("/admin/test/boom")
        assert status == 500 and 'dir="rtl"' in page and "خطای سامانه" in page
        assert "secret-internal-detail" not in page and "Traceback" not in page and "SELECT" not in page
    finally:
        await browser.close()


async def test_domain_refusals_become_403_and_404_pages(faulty: WebServer) -> None:
    await seed_user("reza", "رضا کریمی")
    browser = faulty.browser()
    try:
        await browser.sign_in("reza")
        status, page = await browser.get("/admin/test/forbidden")
        assert status == 403 and "دسترسی ندارید" in page and "conversation 7" not in page
        status, page = await browser.get("/admin/test/missing")
        assert status == 404 and "پیدا نشد" in page
    finally:
        await browser.close()


async def test_an_unknown_admin_address_is_the_persian_404_page_for_staff_and_sign_in_for_strangers(
    faulty: WebServer,
) -> None:
    await seed_user("reza", "رضا کریمی")
    stranger, browser = faulty.browser(), faulty.browser()
    try:
        status, location = await stranger.get("/admin/no-such-page")
        assert status == 302 and location.startswith("/admin/login")
        await browser.sign_in("reza")
        status, page = await browser.get("/admin/no-such-page")
        assert status == 404 and "پیدا نشد" in page and "Not Found" not in page and "بازگشت به پیشخوان" in page
        status, page = await browser.post("/admin/users/new", {})
        assert status == 405 and 'dir="rtl"' in page
    finally:
        await stranger.close()
        await browser.close()


async def test_require_role_lets_the_role_and_admins_in_and_shows_others_the_403_page(faulty: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await seed_user("neda", "ندا فروشی", role=Role.SALES)
    await seed_user("reza", "رضا کریمی", role=Role.AGENT)
    for username, expected in (("sara", 200), ("neda", 200), ("reza", 403)):
        browser = faulty.browser()
        try:
            await browser.sign_in(username)
            status, page = await browser.get("/admin/test/sales")
            assert status == expected, username
            assert (f"hello {username}" in page) if expected == 200 else ("دسترسی ندارید" in page)
        finally:
            await browser.close()
