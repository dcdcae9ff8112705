"""SLA clocks (SRV-5), pure: due and warning times in business time, paused while a case waits on the customer.

A target of N business minutes is met by an instant T when the business minutes from the case's opening
to T, minus those spent waiting on the customer, reach N. So the due time is the opening plus N plus the
paused business minutes, counted on the calendar; while the case is still waiting, the pause runs up to `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.bizcal import BusinessCalendar

WAITING = "waiting"
Span = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Targets:
    """A policy's targets in business minutes (None: no clock) and its warning threshold in percent."""

    first_response: int | None
    resolution: int | None
    warning_percent: int = 80


@dataclass(frozen=True)
class Clock:
    """Due and warning instants (UTC) of both clocks, and whether the case is paused now."""

    first_response_due: datetime | None
    first_response_warn: datetime | None
    resolution_due: datetime | None
    resolution_warn: datetime | None
    paused: bool


def waiting_spans(changes: Iterable[tuple[datetime, str | None, str | None]]) -> list[Span]:
    """The spans a case spent waiting, from its status changes (at, from, to) in time order; the last may be open."""
    spans: list[Span] = []
    started: datetime | None = None
    for at, _old, new in sorted(changes, key=lambda c: c[0]):
        if new == WAITING and started is None:
            started = at
        elif new != WAITING and started is not None:
            spans.append((started, at))
            started = None
    if started is not None:
        spans.append((started, None))
    return spans


def paused_minutes(cal: BusinessCalendar, spans: Iterable[Span], until: datetime) -> int:
    """Business minutes of the waiting spans before `until` (an open span runs up to `until`)."""
    total = 0
    for start, end in spans:
        stop = until if end is None else min(end, until)
        if stop > start:
            total += cal.business_minutes_between(start, stop)
    return total


def _due(cal: BusinessCalendar, opened: datetime, minutes: int | None, paused: int) -> datetime | None:
    return None if minutes is None else cal.add_business_minutes(opened, minutes + paused)


def _warn(cal: BusinessCalendar, opened: datetime, minutes: int | None, percent: int, paused: int) -> datetime | None:
    if minutes is None:
        return None
    # Whole minutes, rounded down: a warning never comes later than the percentage says.
    return cal.add_business_minutes(opened, minutes * max(0, min(percent, 100)) // 100 + paused)


def compute(
    cal: BusinessCalendar,
    opened: datetime,
    targets: Targets,
    spans: Iterable[Span] = (),
    *,
    now: datetime,
    responded: datetime | None = None,
) -> Clock:
    """Both clocks of a case opened at `opened`; pauses after the first response do not move its due time."""
    spans = list(spans)
    paused = paused_minutes(cal, spans, now)
    fr_paused = paused if responded is None else paused_minutes(cal, spans, min(responded, now))
    pct = targets.warning_percent
    return Clock(
        first_response_due=_due(cal, opened, targets.first_response, fr_paused),
        first_response_warn=_warn(cal, opened, targets.first_response, pct, fr_paused),
        resolution_due=_due(cal, opened, targets.resolution, paused),
        resolution_warn=_warn(cal, opened, targets.resolution, pct, paused),
        paused=bool(spans) and spans[-1][1] is None,
    )
