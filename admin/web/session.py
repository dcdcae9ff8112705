"""Signed-cookie sessions for the staff admin: user id, server session id, CSRF token and issue time, HMAC-SHA256.

The cookie alone signs nobody in: its `sid` must name a live row of core.actions.staff_sessions,
which sign-out, a password reset and deactivation revoke.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from core.actions.staff_sessions import LIFETIME

COOKIE = "peyk_session"
MAX_AGE = int(LIFETIME.total_seconds())


@dataclass
class Session:
    """What the cookie carries; `csrf` is the token every admin form must echo."""

    user_id: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    issued: int = field(default_factory=lambda: int(time.time()))
    flash: str = ""
    sid: str = ""  # the random id of the server-side session row (core.actions.staff_sessions)


def _sign(secret: str, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode().rstrip("=")


def encode(secret: str, session: Session) -> str:
    """The cookie value: base64(json).signature."""
    payload = base64.urlsafe_b64encode(json.dumps(session.__dict__, separators=(",", ":")).encode()).decode()
    return f"{payload}.{_sign(secret, payload.encode())}"


def decode(secret: str, value: str | None) -> Session | None:
    """The session in a cookie value, or None when missing, forged, malformed or expired."""
    if not value or "." not in value:
        return None
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload.encode()))
        session = Session(**data)
    except (ValueError, TypeError):
        return None
    if session.issued + MAX_AGE < time.time():
        return None
    return session


def save(response: web.StreamResponse, secret: str, session: Session, *, secure: bool) -> None:
    """Set the session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS."""
    response.set_cookie(
        COOKIE, encode(secret, session), max_age=MAX_AGE, httponly=True, samesite="Lax", secure=secure, path="/"
    )


def clear(response: web.StreamResponse) -> None:
    """Remove the session cookie."""
    response.del_cookie(COOKIE, path="/")
