"""Job `receipts`: Telegram/Bale update receipts past the redelivery horizon (core.sweeps.receipts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.receipts import prune_receipts
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Prune the receipts older than the horizon as of `now`."""
    return await prune_receipts(now)


JOB = Job("receipts", timedelta(hours=1), run, "update receipts older than Telegram's redelivery horizon")
