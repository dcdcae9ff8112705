"""Admin middleware: session cookie → live server-side session → user, sign-in, CSRF on every unsafe request."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.web import session as sessions
from admin.web.context import SESSION_KEY, USER_KEY
from core.actions.staff_sessions import session_user

PUBLIC_PATHS = frozenset({"/admin/login"})
STATIC_PREFIX = "/admin/static/"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _secure(request: web.Request) -> bool:
    public = request.app[SETTINGS_KEY].public_url or ""
    return public.startswith("https://")


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        sent = str(form.get(CSRF_FIELD, ""))
    return bool(sent) and hmac.compare_digest(sent, expected)


@web.middleware
async def admin_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Guard every /admin route; other paths pass untouched."""
    path = request.path
    if not path.startswith("/admin") or path.startswith(STATIC_PREFIX):
        return await handler(request)
    secret = request.app[SETTINGS_KEY].secret_key
    session = sessions.decode(secret, request.cookies.get(sessions.COOKIE)) or sessions.Session()
    request[SESSION_KEY] = session
    if request.method in UNSAFE and not await _csrf_ok(request, session.csrf):
        raise web.HTTPForbidden(text="درخواست نامعتبر است (نشانهٔ امنیتی فرم). صفحه را دوباره باز کنید.")
    user = await session_user(session.sid) if session.user_id else None
    if user is None or user.id != session.user_id:  # signed out, revoked (password reset, deactivated) or expired
        user = session.user_id = None
        session.sid = ""
    if user is None and path not in PUBLIC_PATHS:
        if request.method == "GET" and "text/event-stream" not in request.headers.get("Accept", ""):
            raise web.HTTPFound("/admin/login?next=" + request.path_qs.replace("&", "%26"))
        raise web.HTTPUnauthorized(text="ابتدا وارد شوید.")
    request[USER_KEY] = user
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects after a form post carry the session too
        sessions.save(exc, secret, request[SESSION_KEY], secure=_secure(request))
        raise
    sessions.save(response, secret, request[SESSION_KEY], secure=_secure(request))
    return response
