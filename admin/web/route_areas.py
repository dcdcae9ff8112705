"""Which area each /admin route reads or writes (core/areas.py); one middleware checks it before the handler.

A route is keyed by its method and canonical path (HEAD is GET). A route of a signed-in page that is in neither
`ROUTES` nor `PUBLIC` is refused: a new page must say which area it belongs to (the access matrix test fails
until it does). The core actions check the area again, so this is the first of two locks, not the only one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from admin.web.context import USER_KEY
from admin.web.errors import Handler, page_error
from core.areas import Area, require
from core.errors import Forbidden

log = logging.getLogger(__name__)

READ, WRITE = False, True
PUBLIC = frozenset({("GET", "/admin/login"), ("POST", "/admin/login")})
UNDECLARED = "این صفحه هنوز به هیچ بخشی از سامانه نسبت داده نشده است؛ لطفاً به مدیر سامانه اطلاع دهید."


@dataclass(frozen=True)
class RouteArea:
    """The area a route belongs to and whether it changes records there."""

    area: Area
    write: bool


def _rows(area: Area, *routes: tuple[str, str]) -> dict[tuple[str, str], RouteArea]:
    return {(method, path): RouteArea(area, method != "GET") for method, path in routes}


ROUTES: dict[tuple[str, str], RouteArea] = {
    **_rows(Area.ACCOUNT, ("GET", "/admin"), ("GET", "/admin/"), ("POST", "/admin/logout")),
    **_rows(Area.ACCOUNT, ("GET", "/admin/alarms/me"), ("POST", "/admin/alarms/me/code")),
    **_rows(Area.ACCOUNT, ("POST", "/admin/alarms/me/unlink")),
    **_rows(Area.INBOX, ("GET", "/admin/inbox"), ("GET", "/admin/events")),
    **_rows(Area.INBOX, ("GET", "/admin/conversations/{id}"), ("GET", "/admin/conversations/{id}/messages")),
    **_rows(Area.INBOX, *(("POST", f"/admin/conversations/{{id}}/{a}") for a in ("reply", "assign", "assign-me"))),
    **_rows(Area.INBOX, *(("POST", f"/admin/conversations/{{id}}/{a}") for a in ("status", "priority", "labels"))),
    **_rows(Area.INBOX, ("POST", "/admin/conversations/{id}/contact")),
    **_rows(Area.INBOX, ("GET", "/admin/attachments/{id}"), ("GET", "/admin/messages/{id}/html")),
    **_rows(Area.CASES, ("POST", "/admin/conversations/{id}/case")),
    **_rows(Area.LEADS, ("POST", "/admin/conversations/{id}/lead")),
    **_rows(Area.CONTACTS, ("GET", "/admin/contacts"), ("GET", "/admin/contacts/{id}")),
    **_rows(Area.CONTACTS, ("POST", "/admin/contacts/{id}/edit"), ("POST", "/admin/contacts/{id}/identities")),
    **_rows(Area.CONTACTS, ("GET", "/admin/contacts/{id}/merge"), ("POST", "/admin/contacts/{id}/merge")),
    **_rows(Area.CALLS, ("GET", "/admin/calldesk"), ("POST", "/admin/calldesk/log")),
    **_rows(Area.CALLS, ("GET", "/admin/calldesk/popup/{id}")),
    **_rows(Area.CASES, ("GET", "/admin/cases"), ("GET", "/admin/cases/{id}")),
    **_rows(Area.CASES, ("POST", "/admin/cases/{id}/status"), ("POST", "/admin/cases/from-call/{id}")),
    **_rows(Area.STAFF, ("GET", "/admin/users"), ("POST", "/admin/users"), ("GET", "/admin/users/{id}")),
    **_rows(Area.STAFF, *(("POST", f"/admin/users/{{id}}{a}") for a in ("", "/password", "/deactivate"))),
    **_rows(Area.STAFF, ("POST", "/admin/users/{id}/reactivate")),
    **_rows(Area.STAFF, ("GET", "/admin/teams"), ("POST", "/admin/teams"), ("GET", "/admin/teams/{id}")),
    **_rows(Area.STAFF, ("POST", "/admin/teams/{id}"), ("POST", "/admin/teams/{id}/lead")),
    **_rows(Area.AUDIT, ("GET", "/admin/audit")),
    **_rows(Area.SETTINGS, ("GET", "/admin/sla"), ("POST", "/admin/sla")),
    **_rows(Area.SETTINGS, ("GET", "/admin/alarms/rules"), ("POST", "/admin/alarms/rules")),
    **_rows(Area.SETTINGS, ("GET", "/admin/alarms/rules/{id}"), ("POST", "/admin/alarms/rules/{id}")),
    **_rows(Area.SETTINGS, ("POST", "/admin/alarms/rules/{id}/delete")),
    **_rows(Area.SETTINGS, ("GET", "/admin/calendar"), ("POST", "/admin/calendar/hours")),
    **_rows(Area.SETTINGS, ("POST", "/admin/calendar/holidays"), ("POST", "/admin/calendar/holidays/{id}/delete")),
    **_rows(Area.SETTINGS, ("POST", "/admin/calendar/import"), ("POST", "/admin/calendar/seed")),
    **_rows(Area.ALARMS, ("GET", "/admin/alarms"), ("POST", "/admin/alarms/{id}/ack")),
    # The new-user form only makes sense to someone who may create users.
    ("GET", "/admin/users/new"): RouteArea(Area.STAFF, WRITE),
}


def route_key(request: web.Request) -> tuple[str, str] | None:
    """(method, canonical path) of the matched route, HEAD as GET; None when nothing matched or it is static."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or isinstance(resource, web.StaticResource) or request.match_info.http_exception:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return method, resource.canonical


@web.middleware
async def area_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a signed-in staff member a page of an area their role may not read (or a form it may not write)."""
    user = request.get(USER_KEY)
    key = route_key(request) if user is not None and request.path.startswith("/admin") else None
    if key is None or key in PUBLIC:
        return await handler(request)
    declared = ROUTES.get(key)
    if declared is None:
        log.error("admin route %s %s declares no area (admin/web/route_areas.py)", *key)
        raise page_error(request, 403, UNDECLARED)
    try:
        require(user, declared.area, write=declared.write)
    except Forbidden as exc:
        raise page_error(request, 403, str(exc)) from None
    return await handler(request)
