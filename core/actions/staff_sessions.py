"""Admin sessions kept on the server: begun at sign-in, looked up per request, ended by sign-out,
and revoked all at once when an admin resets the password or deactivates the user.

The cookie carries only a random id (signed); the row is what makes it valid, so a saved cookie
is worthless once its row is revoked. Rows store the id's SHA-256, never the id itself.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core.actions.audit import record_raw
from core.models import StaffSession, User
from core.passwords import token_digest
from core.tx import atomic

LIFETIME = timedelta(hours=12)  # a working day; staff sign in again the next morning
# last_seen_at shows admins which sessions are in use; a write per page view would be waste.
TOUCH_EVERY = timedelta(minutes=1)


async def start_session(user: User, *, ip: str) -> str:
    """A new session of `user`; returns the random id for the cookie (shown nowhere else)."""
    raw = secrets.token_urlsafe(32)
    await StaffSession.create(id=token_digest(raw), user=user, last_seen_at=datetime.now(UTC), ip=ip[:45])
    return raw


async def session_user(raw: str) -> User | None:
    """The active user of a live session (not revoked, not older than LIFETIME), or None."""
    if not raw or len(raw) > 100:
        return None
    now = datetime.now(UTC)
    row = await (
        StaffSession.filter(id=token_digest(raw), revoked_at__isnull=True, created_at__gte=now - LIFETIME)
        .select_related("user")
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await StaffSession.filter(id=row.id, last_seen_at__lt=now - TOUCH_EVERY).update(last_seen_at=now)
    return row.user


async def end_session(raw: str, *, ip: str) -> None:
    """Sign-out: revoke this session on the server, so its cookie no longer signs anyone in."""
    if not raw or len(raw) > 100:
        return
    async with atomic():
        row = await StaffSession.filter(id=token_digest(raw), revoked_at__isnull=True).select_related("user").first()
        if row is None:
            return
        await StaffSession.filter(id=row.id).update(revoked_at=datetime.now(UTC))
        await record_raw(row.user, "logout", "login", row.user.username[:40], ip=ip)


async def revoke_sessions(user_id: int, *, keep: str | None = None) -> int:
    """Revoke every live session of a user (except `keep`, the caller's own); how many were revoked."""
    live = StaffSession.filter(user_id=user_id, revoked_at__isnull=True)
    if keep:
        live = live.exclude(id=token_digest(keep))
    return await live.update(revoked_at=datetime.now(UTC))
