"""Jalali (solar hijri) dates at the edges: rendering with Persian digits, parsing any digit set.

Times are stored in UTC; they are shown in the business time zone (Asia/Tehran by default).
jdatetime does the calendar arithmetic; it prints ASCII digits even with fa_IR, so every
rendered string goes through to_persian_digits here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

import jdatetime

from core.errors import ValidationError
from core.text import normalize_search, to_persian_digits

TEHRAN = "Asia/Tehran"
MONTH_NAMES = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
# Indexed like date.weekday(): Monday is 0. The Persian week starts on Saturday (شنبه).
WEEKDAY_NAMES = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه", "شنبه", "یک‌شنبه")
MIN_YEAR, MAX_YEAR = 1200, 1700
_MONTH_BY_KEY = {normalize_search(name): i for i, name in enumerate(MONTH_NAMES, start=1)}
_NUMERIC = re.compile(r"(\d{1,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,4})")
_WORDS = re.compile(r"(\d{1,2})\s+(\S+)\s+(\d{4})")
_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?$")
_FILLER = re.compile(r"[\s,،]+|ساعت")


def zone(tz: str | tzinfo) -> tzinfo:
    """A tzinfo from a zone name (or the tzinfo itself)."""
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def local_date(value: date | datetime, tz: str | tzinfo = TEHRAN) -> date:
    """The calendar day of `value` in `tz` (an aware instant is converted; naive means UTC)."""
    if isinstance(value, datetime):
        return to_local(value, tz).date()
    return value


def to_local(dt: datetime, tz: str | tzinfo = TEHRAN) -> datetime:
    """An instant shown in `tz`; a naive datetime is taken as UTC (how Peyk stores times)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(zone(tz))


def to_jalali(value: date | datetime, tz: str | tzinfo = TEHRAN) -> tuple[int, int, int]:
    """(year, month, day) of a Gregorian date, or of an instant's day in `tz`."""
    j = jdatetime.date.fromgregorian(date=local_date(value, tz))
    return j.year, j.month, j.day


def to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali day; ValidationError when that day does not exist."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Jalali year {year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    if not 1 <= month <= 12:
        raise ValidationError(f"Jalali month {month} does not exist (1-12)")
    last = days_in_month(year, month)
    if not 1 <= day <= last:
        raise ValidationError(f"day {day} does not exist in Jalali {year}/{month:02d} (it has {last} days)")
    return jdatetime.date(year, month, day).togregorian()


def is_leap_year(year: int) -> bool:
    """True when Esfand of this Jalali year has 30 days."""
    return bool(jdatetime.date(year, 1, 1).isleap())


def days_in_month(year: int, month: int) -> int:
    """Number of days of a Jalali month (Esfand: 29, or 30 in a leap year)."""
    if month == 12:
        return 30 if is_leap_year(year) else 29
    return 31 if month <= 6 else 30


def jalali_year(dt_utc: datetime | date, tz: str | tzinfo = TEHRAN) -> int:
    """The Jalali year of an instant in `tz` (for case numbers such as 1405-00042)."""
    return to_jalali(dt_utc, tz)[0]


def format_date(value: date | datetime, tz: str | tzinfo = TEHRAN) -> str:
    """«۵ آذر ۱۴۰۵»: day, month name and year in Persian digits."""
    y, m, d = to_jalali(value, tz)
    return to_persian_digits(f"{d} {MONTH_NAMES[m - 1]} {y}")


def format_date_numeric(value: date | datetime, tz: str | tzinfo = TEHRAN) -> str:
    """«۱۴۰۵/۰۹/۰۵» for tables."""
    y, m, d = to_jalali(value, tz)
    return to_persian_digits(f"{y:04d}/{m:02d}/{d:02d}")


def format_time(dt_utc: datetime, tz: str | tzinfo = TEHRAN) -> str:
    """«۱۴:۳۰»: the wall-clock time of an instant in `tz`."""
    return to_persian_digits(to_local(dt_utc, tz).strftime("%H:%M"))


def format_datetime(dt_utc: datetime, tz: str | tzinfo = TEHRAN) -> str:
    """«۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰»: an instant shown in `tz`."""
    return f"{format_date(dt_utc, tz)}، ساعت {format_time(dt_utc, tz)}"


def parse_jalali_date(text: str) -> date:
    """A Jalali date typed with any digit set (1405/09/05, ۱۴۰۵-۹-۵, 1405.9.5, ۵ آذر ۱۴۰۵)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("date is empty")
    cleaned = _FILLER.sub(" ", normalize_search(text)).strip()
    if match := _NUMERIC.fullmatch(cleaned):
        year, month, day = (int(g) for g in match.groups())
        if day >= 1000 > year:  # 05/09/1405: written day first
            year, day = day, year
    elif (match := _WORDS.fullmatch(cleaned)) and match.group(2) in _MONTH_BY_KEY:
        day, month, year = int(match.group(1)), _MONTH_BY_KEY[match.group(2)], int(match.group(3))
    else:
        raise ValidationError(f"not a Jalali date (expected year/month/day such as 1405/09/05): {text!r}")
    if 1900 <= year <= 2200:
        raise ValidationError(f"{year} looks like a Gregorian year; enter the Jalali date: {text!r}")
    return to_gregorian(year, month, day)


def parse_jalali_datetime(text: str, tz: str | tzinfo = TEHRAN) -> datetime:
    """An aware UTC instant from a Jalali date and optional time typed in `tz` (1405/09/05 14:30)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("date and time are empty")
    cleaned = normalize_search(text)  # ASCII digits, no invisible marks, lower case
    clock = time(0, 0)
    if match := _TIME.search(cleaned):
        hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValidationError(f"not a time of day (00:00-23:59): {text!r}")
        clock = time(hour, minute, second)
        cleaned = cleaned[: match.start()].rstrip().rstrip("t")
    day = parse_jalali_date(_FILLER.sub(" ", cleaned).strip() or text)
    return datetime.combine(day, clock, tzinfo=zone(tz)).astimezone(UTC)
