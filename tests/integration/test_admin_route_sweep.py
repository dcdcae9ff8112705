"""Every registered route is walked: /admin and /api refuse anonymous callers, unsafe /admin requests need CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp
from aiohttp import web as aioweb

from core.models import Role
from tests.support.seed import seed_user
from tests.support.web import WebServer, web

__all__ = ["web"]

ADMIN_PUBLIC = {"/admin/login"}
API_PUBLIC = {"/api/v1/openapi.json"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PLACEHOLDER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Probe:
    """One method on one concrete path of a registered route."""

    method: str
    path: str
    canonical: str


def probes(app: aioweb.Application, prefix: str) -> list[Probe]:
    """Every (method, path) registered under `prefix`, placeholders filled with a value their pattern accepts."""
    found = []
    for route in app.router.routes():
        resource = route.resource
        if resource is None or isinstance(resource, aioweb.StaticResource):
            continue
        canonical = resource.canonical
        if not (canonical == prefix.rstrip("/") or canonical.startswith(prefix)):
            continue
        path = PLACEHOLDER.sub("1", canonical)
        pattern = resource.get_info().get("pattern")
        assert pattern is None or pattern.fullmatch(path), f"sample path {path} does not match {canonical}"
        for method in ("GET", "POST") if route.method == "*" else (route.method,):
            found.append(Probe(method, path, canonical))
    return found


async def _send(session: aiohttp.ClientSession, base: str, probe: Probe, **kw: object) -> aiohttp.ClientResponse:
    data = {"field": "1"} if probe.method in UNSAFE else None
    async with session.request(probe.method, base + probe.path, data=data, allow_redirects=False, **kw) as resp:  # type: ignore[arg-type]
        await resp.read()
        return resp


async def test_every_admin_route_refuses_an_anonymous_visitor(web: WebServer) -> None:
    admin_probes = [p for p in probes(web.server.app, "/admin") if p.canonical not in ADMIN_PUBLIC]
    assert len({p.canonical for p in admin_probes}) >= 8 and any(p.path == "/admin/users" for p in admin_probes)
    async with aiohttp.ClientSession() as session:
        for probe in admin_probes:
            resp = await _send(session, web.url, probe)
            if probe.method == "GET":
                assert resp.status == 302, probe
                assert resp.headers["Location"].startswith("/admin/login"), probe
            else:
                assert resp.status in (401, 403), probe


async def test_every_api_route_answers_401_without_a_token(web: WebServer) -> None:
    api_probes = [p for p in probes(web.server.app, "/api/") if p.canonical not in API_PUBLIC]
    assert len({p.canonical for p in api_probes}) >= 5
    async with aiohttp.ClientSession() as session:
        for probe in api_probes:
            resp = await _send(session, web.url, probe)
            assert resp.status == 401, probe
            resp = await _send(session, web.url, probe, headers={"Authorization": "Bearer pk_not-a-real-token"})
            assert resp.status == 401, probe


async def test_the_openapi_document_is_the_only_public_api_route(web: WebServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(web.url + "/api/v1/openapi.json") as resp:
            assert resp.status == 200


async def test_every_unsafe_admin_route_refuses_a_signed_in_request_without_its_csrf_token(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    unsafe = [p for p in probes(web.server.app, "/admin") if p.method in UNSAFE]
    assert any(p.path == "/admin/users/1/deactivate" for p in unsafe) and any(p.path == "/admin/logout" for p in unsafe)
    browser = web.browser()
    try:
        await browser.sign_in("sara")
        assert (await browser.get("/admin/"))[0] == 200
        for probe in unsafe:
            resp = await _send(browser.session, web.url, probe)
            assert resp.status == 403, probe
            resp = await _send(browser.session, web.url, probe, headers={"X-CSRF-Token": "forged"})
            assert resp.status == 403, probe
        assert (await browser.get("/admin/"))[0] == 200  # none of the refused posts signed the admin out
    finally:
        await browser.close()


async def test_a_refused_csrf_token_is_explained_on_a_persian_page(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    browser = web.browser()
    try:
        await browser.sign_in("sara")
        status, page = await browser.post("/admin/teams", {"name": "تیم جعلی"}, csrf=False)
        assert status == 403 and 'dir="rtl"' in page and "نشانهٔ امنیتی فرم" in page
    finally:
        await browser.close()
