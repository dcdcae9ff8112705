"""Job `signin`: ended admin sessions and past sign-in attempt windows (core.sweeps.signin)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.signin import prune_signin_state
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Prune the sign-in state that can no longer sign anyone in or lock anyone out as of `now`."""
    return await prune_signin_state(now)


JOB = Job("signin", timedelta(hours=1), run, "ended admin sessions and past sign-in attempt windows")
