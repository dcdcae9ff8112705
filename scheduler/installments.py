"""Job `installments`: reminders before due dates and overdue alarms (core.sweeps.installments)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.installments import sweep_installments
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the unpaid installments as of `now`."""
    return await sweep_installments(now)


JOB = Job(
    "installments", timedelta(minutes=30), run, "installment reminders to customers; overdue installments to collectors"
)
