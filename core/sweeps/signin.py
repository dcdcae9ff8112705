"""Sign-in state that no longer decides anything is dropped: ended sessions and past attempt windows.

A session row matters while it may sign someone in (LIFETIME) and, once revoked or expired, only as
a short trail beside the audit log (which keeps sign-in, sign-out and lock-outs for good). A counter
row matters only inside its window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q

from core.actions.signin_limit import WINDOW
from core.actions.staff_sessions import LIFETIME
from core.models import SignInCounter, StaffSession

KEEP_ENDED = timedelta(days=7)


async def prune_signin_state(now: datetime) -> dict[str, int]:
    """Delete sessions ended (revoked or expired) more than KEEP_ENDED ago and counters of past windows."""
    ended = Q(revoked_at__lt=now - KEEP_ENDED) | Q(created_at__lt=now - LIFETIME - KEEP_ENDED)
    sessions = await StaffSession.filter(ended).delete()
    counters = await SignInCounter.filter(window_start__lt=now - WINDOW).delete()
    return {"sessions": sessions, "counters": counters}
