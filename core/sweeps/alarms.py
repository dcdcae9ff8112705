"""The alarm sweep: send deliveries held for quiet hours, escalate unacknowledged alarms (PLT-5)."""

from __future__ import annotations

from datetime import datetime

from core.actions.alarms import escalate_due, release_deferred


async def sweep_alarms(now: datetime) -> dict[str, int]:
    """Queue the deferred deliveries whose business hours began, then escalate what waited too long, as of `now`."""
    released = await release_deferred(now)
    escalated = await escalate_due(now)
    return {"released": released, "escalated": escalated}
