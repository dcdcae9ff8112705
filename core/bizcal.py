"""The Iranian business calendar (PLT-3): working hours per weekday, holidays, business-time arithmetic.

Pure: the holiday table and the working-hours setting are read by core.actions.calendar.load_calendar.
Working hours are spans of minutes after local midnight, [start, end), per date.weekday() (Monday 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from core.errors import ValidationError
from core.jalali import TEHRAN, WEEKDAY_NAMES, to_gregorian, to_local, zone
from core.text import normalize_search, to_ascii_digits

Span = tuple[int, int]
WeekHours = dict[int, tuple[Span, ...]]
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_KEYS = {key: wd for wd, key in enumerate(WEEKDAY_KEYS)} | {key[:3]: wd for wd, key in enumerate(WEEKDAY_KEYS)}
_DAY_KEYS |= {normalize_search(name).replace(" ", ""): wd for wd, name in enumerate(WEEKDAY_NAMES)}
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")
_RANGE = re.compile(r"\s*(?:-|–|تا)\s*")  # 08:00-16:00, ۰۸:۰۰ تا ۱۶:۰۰
_OFF = ("", "off", "closed", "تعطیل")
SAT, SUN, MON, TUE, WED, THU, FRI = 5, 6, 0, 1, 2, 3, 4
# Saturday-Wednesday 08:00-16:00, Thursday 08:00-12:00 (half-day), Friday off.
DEFAULT_HOURS: WeekHours = {d: ((480, 960),) for d in (SAT, SUN, MON, TUE, WED)} | {THU: ((480, 720),), FRI: ()}
FIXED_SOLAR_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "نوروز"),
    (1, 2, "نوروز"),
    (1, 3, "نوروز"),
    (1, 4, "نوروز"),
    (1, 12, "روز جمهوری اسلامی"),
    (1, 13, "روز طبیعت"),
    (3, 14, "رحلت امام خمینی"),
    (3, 15, "قیام ۱۵ خرداد"),
    (11, 22, "پیروزی انقلاب اسلامی"),
    (12, 29, "ملی‌شدن صنعت نفت"),  # 29 Esfand exists every year; 30 Esfand only in leap years
)
MAX_SCAN_DAYS = 3660  # a calendar with no business time for ten years is a configuration error


def fixed_holidays_named(jalali_year: int) -> list[tuple[date, str]]:
    """The fixed solar holidays of a Jalali year as (Gregorian date, Persian name)."""
    return [(to_gregorian(jalali_year, m, d), name) for m, d, name in FIXED_SOLAR_HOLIDAYS]


def fixed_holidays(jalali_year: int) -> list[date]:
    """The Gregorian dates of the fixed solar holidays of a Jalali year."""
    return [day for day, _ in fixed_holidays_named(jalali_year)]


def first_half(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """The spans cut at half of their total length (the working part of a half-day holiday)."""
    left = sum(e - s for s, e in spans) // 2
    out = []
    for s, e in spans:
        if left <= 0:
            break
        out.append((s, min(e, s + left)))
        left -= e - s
    return tuple(out)


def _clock(text: str, where: str) -> int:
    match = _CLOCK.fullmatch(to_ascii_digits(text).strip())
    if not match:
        raise ValidationError(f"working hours: {where}: {text!r} is not a time such as 08:00")
    minute = int(match.group(1)) * 60 + int(match.group(2) or 0)
    if int(match.group(2) or 0) > 59 or minute > 1440:
        raise ValidationError(f"working hours: {where}: {text!r} is not a time between 00:00 and 24:00")
    return minute


def _is_clock(value: object) -> bool:
    if isinstance(value, str):
        return len(_RANGE.split(value)) == 1
    return isinstance(value, int) and not isinstance(value, bool)


def _spans(value: object, where: str) -> tuple[Span, ...]:
    if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
        return ()
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list | tuple) and len(value) == 2 and all(_is_clock(v) for v in value):
        items = [list(value)]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValidationError(f'working hours: {where}: expected spans such as ["08:00", "16:00"]')
    spans = []
    for item in items:
        pair = _RANGE.split(to_ascii_digits(item).strip()) if isinstance(item, str) else item
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValidationError(f"working hours: {where}: {item!r} is not a span such as 08:00-16:00")
        start, end = (_clock(str(v), where) for v in pair)
        if not 0 <= start < end <= 1440:
            raise ValidationError(f"working hours: {where}: the span must end after it starts")
        spans.append((start, end))
    spans.sort()
    if any(a[1] > b[0] for a, b in pairwise(spans)):
        raise ValidationError(f"working hours: {where}: spans overlap")
    return tuple(spans)


def parse_working_hours(value: Mapping[str, object] | Mapping[int, object]) -> WeekHours:
    """Working hours from JSON or an admin form ({"saturday": ["08:00", "16:00"], ...}); days left out are off."""
    if not isinstance(value, Mapping):
        raise ValidationError("working hours: expected a mapping of weekday to spans")
    week: WeekHours = {wd: () for wd in range(7)}
    for key, spans in value.items():
        wd = key if isinstance(key, int) else _DAY_KEYS.get(normalize_search(str(key)).replace(" ", ""))
        if wd is None or not 0 <= wd <= 6:
            raise ValidationError(f"working hours: {key!r} is not a weekday (saturday ... friday)")
        week[wd] = _spans(spans, WEEKDAY_KEYS[wd])
    if not any(week.values()):
        raise ValidationError("working hours: at least one weekday needs working hours")
    return week


def working_hours_to_json(hours: WeekHours) -> dict[str, list[list[str]]]:
    """The JSON form stored in the setting, e.g. {"saturday": [["08:00", "16:00"]], "friday": []}."""
    order = (SAT, SUN, MON, TUE, WED, THU, FRI)
    return {WEEKDAY_KEYS[wd]: [[_hhmm(s), _hhmm(e)] for s, e in hours.get(wd, ())] for wd in order}


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _utc(dt: datetime) -> datetime:
    if not isinstance(dt, datetime):
        raise ValidationError(f"expected a datetime, not {type(dt).__name__}")
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class BusinessCalendar:
    """Working hours per weekday plus full- and half-day holidays, in one time zone."""

    def __init__(
        self,
        hours: WeekHours | None = None,
        holidays: Iterable[date] = (),
        half_days: Iterable[date] = (),
        tz: str | tzinfo = TEHRAN,
    ) -> None:
        week = dict(DEFAULT_HOURS if hours is None else hours)
        self.hours: WeekHours = {wd: tuple(week.get(wd, ())) for wd in range(7)}
        if not any(self.hours.values()):
            raise ValidationError("working hours: at least one weekday needs working hours")
        self.holidays = frozenset(holidays)
        self.half_days = frozenset(half_days) - self.holidays
        self.tz = zone(tz)

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The working spans of a local date (none on a holiday, the morning half on a half-day)."""
        if day in self.holidays:
            return ()
        spans = self.hours[day.weekday()]
        return first_half(spans) if day in self.half_days else spans

    def is_working_day(self, day: date) -> bool:
        """True when the local date has any working time."""
        return bool(self.spans_on(day))

    def _instants(self, day: date) -> list[tuple[datetime, datetime]]:
        # Aware + timedelta is wall-clock arithmetic, so 08:00 stays 08:00 across a DST change.
        midnight = datetime.combine(day, time(0), tzinfo=self.tz)
        return [
            ((midnight + timedelta(minutes=s)).astimezone(UTC), (midnight + timedelta(minutes=e)).astimezone(UTC))
            for s, e in self.spans_on(day)
        ]

    def is_business_time(self, dt: datetime) -> bool:
        """True when the instant falls inside working hours (start included, end excluded)."""
        at = _utc(dt)
        return any(s <= at < e for s, e in self._instants(to_local(at, self.tz).date()))

    def next_business_start(self, dt: datetime) -> datetime:
        """`dt` itself (as UTC) inside working hours, else the start of the next working span."""
        return self.add_business_minutes(dt, 0)

    def add_business_minutes(self, start_utc: datetime, minutes: float) -> datetime:
        """The aware UTC instant `minutes` of business time after `start_utc`, counted from the next business start."""
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
            raise ValidationError(f"business minutes must be a number >= 0, not {minutes!r}")
        remaining = timedelta(minutes=minutes)
        at = _utc(start_utc)
        day = to_local(at, self.tz).date()
        for _ in range(MAX_SCAN_DAYS):
            for s, e in self._instants(day):
                if e <= at:
                    continue
                s = max(s, at)
                if remaining <= e - s:
                    return s + remaining
                remaining -= e - s
            day += timedelta(days=1)
        raise ValidationError("the business calendar has no working time in the next ten years")

    def business_minutes_between(self, a_utc: datetime, b_utc: datetime) -> int:
        """Whole business minutes from `a_utc` to `b_utc` (negative when b is before a)."""
        a, b = _utc(a_utc), _utc(b_utc)
        if b < a:
            return -self.business_minutes_between(b, a)
        total = timedelta()
        day, last = to_local(a, self.tz).date(), to_local(b, self.tz).date()
        while day <= last:
            for s, e in self._instants(day):
                overlap = min(e, b) - max(s, a)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)
