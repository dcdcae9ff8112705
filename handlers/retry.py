"""When a failed bot step is tried again: a few attempts with doubling waits, then a person takes over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.turn import Turn


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries in all; the wait after the n-th failure is `first` * 2^(n-1), at most `longest`."""

    attempts: int = 5
    first: timedelta = timedelta(seconds=2)
    longest: timedelta = timedelta(minutes=5)

    def wait(self, failures: int) -> timedelta:
        """How long to wait after `failures` failed attempts."""
        return min(self.first * 2 ** max(failures - 1, 0), self.longest)

    def exhausted(self, failures: int) -> bool:
        """True when a step that failed `failures` times is given up."""
        return failures >= self.attempts


@dataclass(frozen=True)
class Retry:
    """Offer `turn` again at `at` (its step, or an older one of its conversation, failed and waits)."""

    turn: Turn
    at: datetime
