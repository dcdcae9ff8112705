"""Job `conversations`: conversations waiting for a first answer too long (core.sweeps.conversations)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.conversations import sweep_waiting_conversations
from scheduler.job import Job


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the unanswered conversations as of `now`."""
    return await sweep_waiting_conversations(now)


JOB = Job("conversations", timedelta(minutes=1), run, "conversations waiting too long for a first answer")
