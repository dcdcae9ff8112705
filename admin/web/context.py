"""Per-request state of the staff admin: the signed-in user and the session."""

from __future__ import annotations

from aiohttp import web

from admin.web.session import Session
from core.models import User

USER_KEY = web.RequestKey[User | None]("peyk_user")
SESSION_KEY = web.RequestKey("peyk_session", Session)


def current_user(request: web.Request) -> User:
    """The signed-in staff user (the auth middleware guarantees one on protected routes)."""
    user = request.get(USER_KEY)
    if user is None:
        raise web.HTTPFound("/admin/login")
    return user


def session_of(request: web.Request) -> Session:
    """The request's session (a fresh one when the visitor has none)."""
    session = request.get(SESSION_KEY)
    if session is None:
        session = request[SESSION_KEY] = Session()
    return session
