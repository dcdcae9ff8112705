"""The `signin` job drops sign-in state that can no longer decide anything, and keeps what still can.

Rows are real rows of the migrated tables, aged by writing their times; the job is the registered one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.actions.signin_limit import WINDOW
from core.actions.staff import create_user
from core.actions.staff_sessions import LIFETIME, session_user, start_session
from core.config import Settings
from core.models import SignInCounter, StaffSession
from core.passwords import token_digest
from scheduler.jobs import JOBS

pytestmark = pytest.mark.usefixtures("db")


async def test_the_signin_job_prunes_ended_sessions_and_past_windows_and_keeps_live_ones() -> None:
    user = await create_user("sara", "a-long-password")
    now = datetime.now(UTC)
    live = await start_session(user, ip="127.0.0.1")
    recently_revoked = await start_session(user, ip="127.0.0.1")
    long_revoked = await start_session(user, ip="127.0.0.1")
    long_expired = await start_session(user, ip="127.0.0.1")
    await StaffSession.filter(id=token_digest(recently_revoked)).update(revoked_at=now - timedelta(days=1))
    await StaffSession.filter(id=token_digest(long_revoked)).update(revoked_at=now - timedelta(days=8))
    await StaffSession.filter(id=token_digest(long_expired)).update(created_at=now - LIFETIME - timedelta(days=8))
    await SignInCounter.create(key="sara|127.0.0.1", window_start=now - timedelta(minutes=1), count=3)
    await SignInCounter.create(key="sara", window_start=now - WINDOW - timedelta(minutes=1), count=49)

    result = await JOBS["signin"].run(now, Settings())

    assert result == {"sessions": 2, "counters": 1}
    left = set(await StaffSession.all().values_list("id", flat=True))
    assert left == {token_digest(live), token_digest(recently_revoked)}
    assert await session_user(live) is not None  # the live session still signs its user in
    assert await SignInCounter.filter(key="sara|127.0.0.1", count=3).exists()  # its window still counts
