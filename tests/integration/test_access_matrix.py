"""The role matrix: every /admin and /api route, called by a user of every role, answers 403 exactly when
the area table (core/areas.py) says that role may not read (GET) or write (POST) the route's area.

Generated from the table and the router: a route added without an area entry fails here, and so does an
entry left behind for a route that is gone.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import aiohttp
from aiohttp import web as aioweb

from admin.api.routes import endpoints
from admin.web.nav import ITEMS
from admin.web.route_areas import PUBLIC as ADMIN_PUBLIC
from admin.web.route_areas import ROUTES
from core.actions.staff import issue_token
from core.areas import TABLE, Area, may
from core.models import Role, User
from tests.support.seed import seed_user
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]

# Routes anyone may call without a staff role: the sign-in form, the API's own description, health checks,
# the providers' webhooks (each checks its own secret) and the customers' survey link.
PUBLIC = {
    ("GET", "/admin/login"),
    ("POST", "/admin/login"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/healthz"),
    ("POST", "/hooks/telegram"),
    ("POST", "/hooks/bale"),
    ("GET", "/hooks/kavenegar/{secret}/inbound"),
    ("POST", "/hooks/kavenegar/{secret}/inbound"),
    ("GET", "/hooks/kavenegar/{secret}/status"),
    ("POST", "/hooks/kavenegar/{secret}/status"),
    ("POST", "/hooks/cti/{token}"),
    ("GET", "/survey/{token}"),
    ("POST", "/survey/{token}"),
}
PLACEHOLDER = re.compile(r"\{[^}]+\}")
MISSING_ID = "987654"  # no such record: an allowed call ends in 404/400, never changes a real row


@dataclass(frozen=True)
class Expect:
    """One route and the area decision the table makes for it."""

    method: str
    canonical: str
    area: Area
    write: bool

    @property
    def path(self) -> str:
        return PLACEHOLDER.sub(MISSING_ID, self.canonical)


def routes(app: aioweb.Application) -> set[tuple[str, str]]:
    """(method, canonical path) of every route the app serves, HEAD and static files left out."""
    found = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None or isinstance(resource, aioweb.StaticResource) or route.method == "HEAD":
            continue
        for method in ("GET", "POST") if route.method == "*" else (route.method,):
            found.add((method, resource.canonical))
    return found


def declared() -> dict[tuple[str, str], Expect]:
    """What the admin registry and the API declarations say about each route."""
    out = {key: Expect(*key, r.area, r.write) for key, r in ROUTES.items()}
    for ep in endpoints():
        if ep.area is not None:
            out[(ep.method, ep.full_path)] = Expect(ep.method, ep.full_path, ep.area, ep.is_write)
    return out


def expectations(app: aioweb.Application) -> list[Expect]:
    """Every non-public route with its area; logout last, as it ends the session of whoever calls it."""
    table = declared()
    found = [table[key] for key in routes(app) if key not in PUBLIC]
    return sorted(found, key=lambda e: (e.canonical == "/admin/logout", e.canonical, e.method))


async def test_every_route_declares_its_area_or_is_listed_as_public(web: WebServer) -> None:
    served = routes(web.server.app)
    table = declared()
    undeclared = sorted(key for key in served if key not in table and key not in PUBLIC)
    assert not undeclared, f"routes without an area (admin/web/route_areas.py or area= on the endpoint): {undeclared}"
    stale = sorted(key for key in table if key not in served)
    assert not stale, f"area entries for routes that do not exist: {stale}"
    assert ADMIN_PUBLIC <= PUBLIC and not PUBLIC & set(table)
    assert {e.area for e in table.values()} >= {Area.CATALOG, Area.ORDERS, Area.SURVEYS, Area.PROCUREMENT, Area.STAFF}


async def _staff_of_every_role() -> dict[Role, User]:
    return {role: await seed_user(f"u_{role.value}", f"کاربر {role.value}", role=role) for role in Role}


async def _call(
    session: aiohttp.ClientSession, base: str, e: Expect, *, token: str = "", csrf: str = ""
) -> tuple[int, str]:
    if e.canonical.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        data: dict[str, str] | bytes | None = b"{}" if e.method == "POST" else None
    else:
        headers = {}
        data = {"field": "1", "csrf_token": csrf} if e.method == "POST" else None
    async with session.request(e.method, base + e.path, data=data, headers=headers, allow_redirects=False) as resp:
        # Only a refusal is read: an allowed live stream (/admin/events) would never end.
        return resp.status, await resp.text() if resp.status == 403 else ""


async def _walk(web: WebServer, user: User, checks: list[Expect]) -> list[str]:
    """Call every route as `user` (a token for /api, a signed-in session for /admin); the disagreements."""
    token = await issue_token(user, name="matrix")
    browser = web.browser()
    wrong = []
    try:
        await browser.sign_in(user.username)
        status, _ = await browser.get("/admin/")
        assert status == 200 and browser.csrf, user.role
        for e in checks:
            status, text = await _call(browser.session, web.url, e, token=token, csrf=browser.csrf)
            if (status == 403) == may(user, e.area, write=e.write):
                wrong.append(f"{user.role.value} {e.method} {e.path} ({e.area.value}): {status} {text[:80]!r}")
    finally:
        await browser.close()
    return wrong


async def test_every_role_gets_exactly_what_the_area_table_says_on_every_route(web: WebServer) -> None:
    staff = await _staff_of_every_role()
    checks = expectations(web.server.app)
    assert len(checks) >= 100
    # One session and one token per role, the roles side by side.
    wrong = [w for found in await asyncio.gather(*(_walk(web, u, checks) for u in staff.values())) for w in found]
    assert not wrong, f"{len(wrong)} answers disagree with core/areas.py:\n" + "\n".join(wrong)


async def _signed_in(web: WebServer, role: Role) -> WebBrowser:
    await seed_user(f"u_{role.value}", "کاربر", role=role)
    browser = web.browser()
    await browser.sign_in(f"u_{role.value}")
    return browser


async def test_a_refused_page_and_api_call_name_the_area_in_persian(web: WebServer) -> None:
    browser = await _signed_in(web, Role.AGENT)
    try:
        status, page = await browser.get("/admin/sla")
        assert status == 403 and 'dir="rtl"' in page and f"«{TABLE[Area.SETTINGS].name}»" in page
        user = await User.get(username="u_agent")
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {await issue_token(user)}"}
            async with session.post(web.url + "/api/v1/products", json={}, headers=headers) as resp:
                body = await resp.json()
        assert resp.status == 403 and body["error"] == "forbidden"
        assert f"«{TABLE[Area.CATALOG].name}»" in body["reason"]
    finally:
        await browser.close()


async def test_the_menu_shows_each_role_only_the_areas_it_may_read(web: WebServer) -> None:
    gated = [item for item in ITEMS if item.area is not None]
    assert {i.href for i in gated} >= {"/admin/inbox", "/admin/users", "/admin/sla", "/admin/audit"}
    for role in (Role.AGENT, Role.MANAGER, Role.WAREHOUSE):
        browser = await _signed_in(web, role)
        try:
            status, page = await browser.get("/admin/")
            assert status == 200
            user = await User.get(username=f"u_{role.value}")
            for item in gated:
                shown = f'<a href="{item.href}">' in page
                assert shown == may(user, item.area, write=False), (role, item.href)  # type: ignore[arg-type]
        finally:
            await browser.close()
