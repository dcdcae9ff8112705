"""Job `imports`: purchase orders stuck in a stage, stage notices to customers (core.sweeps.imports)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.imports import sweep_imports
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the import purchase orders as of `now`."""
    return await sweep_imports(now)


JOB = Job("imports", timedelta(minutes=5), run, "purchase orders stuck in a stage; stage notices to customers")
