"""Job `alarms`: deliveries held for quiet hours, escalation of unacknowledged alarms (core.sweeps.alarms)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.alarms import sweep_alarms
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Release deferred deliveries and escalate as of `now`."""
    return await sweep_alarms(now)


JOB = Job("alarms", timedelta(minutes=1), run, "deferred (quiet-hours) deliveries; escalation of unacknowledged alarms")
