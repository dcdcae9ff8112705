"""Job `callbacks`: missed calls not called back in time (core.sweeps.callbacks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.callbacks import sweep_missed_calls
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the call-back tasks of missed calls as of `now`."""
    return await sweep_missed_calls(now)


JOB = Job("callbacks", timedelta(minutes=1), run, "missed calls not called back in time")
