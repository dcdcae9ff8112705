"""What a job is: a name, how often it runs, and the one core call it makes as of a given time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.config import Settings

Run = Callable[[datetime, Settings], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Job:
    """One periodic job; `run(now, settings)` calls its sweep."""

    name: str
    every: timedelta
    run: Run
    doc: str
