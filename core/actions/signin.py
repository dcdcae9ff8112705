"""Staff sign-in: password check with a limit on failed attempts, recorded in the audit log.

Failures are audit rows (object_type "login", object_id the username or "ip:<address>"), so the
limit holds across processes and restarts and admins see the attempts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.actions.audit import record_raw
from core.models import AuditLog, User
from core.passwords import verify_password
from core.tx import atomic

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5


class SignInBlocked(Exception):
    """Too many failed attempts for this username or address; try again later."""


async def _recent_failures(key: str) -> int:
    since = datetime.now(UTC) - WINDOW
    return await AuditLog.filter(action="login.failed", object_type="login", object_id=key, at__gte=since).count()


async def sign_in(username: str, password: str, *, ip: str) -> User | None:
    """The active user with these credentials, or None; SignInBlocked after too many failures."""
    keys = [username.strip().lower()[:40] or "-", f"ip:{ip}"[:40]]
    for key in keys:
        if await _recent_failures(key) >= MAX_FAILURES:
            raise SignInBlocked(key)
    user = await User.get_or_none(username=username.strip(), is_active=True)
    if user is not None and verify_password(user.password_hash, password):
        async with atomic():
            await record_raw(user, "login.ok", "login", user.username, ip=ip)
        return user
    async with atomic():
        for key in keys:
            await record_raw(None, "login.failed", "login", key, ip=ip)
    return None
