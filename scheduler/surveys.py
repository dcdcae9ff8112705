"""Job `surveys`: the survey after a resolved case, and low scores (core.sweeps.surveys).

On Telegram, Bale and SMS the invitation starts the bot's survey flow through the dialog engine's
public `Engine.start_flow`; this is the seam between the core sweep and handlers/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.config import Settings
from core.sweeps.surveys import sweep_surveys
from scheduler.job import Job


def flow_starter(settings: Settings):
    """The engine's survey start for this service: (conversation id, survey id) → the bot asks the first question."""
    from handlers.engine import engine_for

    engine = engine_for(settings)

    async def start(conversation_id: int, survey_id: int) -> None:
        await engine.start_flow(conversation_id, "survey", {"survey_id": survey_id})

    return start


async def run(now: datetime, settings: Settings) -> dict[str, Any]:
    """Sweep the survey invitations and responses as of `now`."""
    return await sweep_surveys(now, flow_starter(settings))


JOB = Job("surveys", timedelta(minutes=1), run, "surveys after resolved cases; low scores")
