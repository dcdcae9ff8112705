"""Sign-in and sign-out pages of the staff admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from admin.web import copy
from admin.web.context import SESSION_KEY, session_of
from admin.web.session import Session
from admin.web.templating import render
from core.actions.signin import SignInBlocked, sign_in
from core.actions.staff_sessions import end_session, start_session


def _safe_next(target: str) -> str:
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return "/admin/"
    return target


async def login_page(request: web.Request) -> web.Response:
    """The sign-in form."""
    session = session_of(request)
    notice, session.flash = session.flash.removeprefix("!"), ""  # "signed out" after a sign-out
    context = {"error": "", "next": request.query.get("next", ""), "username": "", "notice": notice}
    return render("login.html", request, context)


async def login_submit(request: web.Request) -> web.Response:
    """Check the password (rate-limited); on success start a fresh session and redirect."""
    form = await request.post()
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    target = _safe_next(str(form.get("next", "")))
    ip = request.remote or "-"
    try:
        user = await sign_in(username, password, ip=ip)
        error = "" if user else copy.LOGIN_FAILED
    except SignInBlocked:
        user, error = None, copy.LOGIN_BLOCKED
    if user is None:
        context = {"error": error, "next": target, "username": username, "notice": ""}
        return render("login.html", request, context, status=401 if error else 200)
    await end_session(session_of(request).sid, ip=ip)  # a session signed in over leaves no live row behind
    sid = await start_session(user, ip=ip)
    request[SESSION_KEY] = Session(user_id=user.id, sid=sid)  # a new session id and CSRF token on sign-in
    raise web.HTTPFound(target)


async def logout(request: web.Request) -> web.Response:
    """End the session on the server too (POST with CSRF token): a saved copy of the cookie signs nobody in."""
    await end_session(session_of(request).sid, ip=request.remote or "-")
    request[SESSION_KEY] = Session(flash=copy.SIGNED_OUT)
    raise web.HTTPFound("/admin/login")
