"""Job `sla`: SLA due times, first responses, warnings and breaches (core.sweeps.sla)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.sla import sweep_sla
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the SLA clocks as of `now`."""
    return await sweep_sla(now)


JOB = Job("sla", timedelta(minutes=1), run, "SLA due times, first responses, warnings and breaches")
