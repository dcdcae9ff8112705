"""Staff sign-in: a password check behind an atomic limit on failed attempts, recorded in the audit log.

The limit lives in core.actions.signin_limit (counter rows, so it holds across processes and
restarts); every attempt is an audit row too (object_type "login", object_id the username), so
admins see them. The password check runs off the event loop and costs the same for unknown
usernames (core.passwords.verify_password_async).
"""

from __future__ import annotations

from core.actions.audit import record_raw
from core.actions.signin_limit import SignInBlocked, give_back, take_attempt
from core.models import User
from core.passwords import verify_password_async
from core.tx import atomic

__all__ = ["SignInBlocked", "sign_in"]


async def sign_in(username: str, password: str, *, ip: str) -> User | None:
    """The active user with these credentials, or None; SignInBlocked after too many failures."""
    name = username.strip()
    key = name.lower()[:64]
    taken = await take_attempt(key, ip[:45])
    user = await User.get_or_none(username=name, is_active=True) if name else None
    if await verify_password_async(user.password_hash if user else None, password) and user is not None:
        await give_back(taken)
        async with atomic():
            await record_raw(user, "login.ok", "login", user.username, ip=ip)
        return user
    async with atomic():
        await record_raw(None, "login.failed", "login", key[:40] or "-", ip=ip)
    return None
