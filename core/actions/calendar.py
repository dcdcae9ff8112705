"""Calendar actions (PLT-3): the holiday table, working hours, and loading the business calendar."""

from __future__ import annotations

import csv
import logging
from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.bizcal import (
    BusinessCalendar,
    fixed_holidays_named,
    parse_working_hours,
    working_hours_to_json,
)
from core.errors import NotFound, ValidationError
from core.jalali import MAX_YEAR, MIN_YEAR, TEHRAN, jalali_year, parse_jalali_date, to_jalali
from core.models import Holiday, Setting, User
from core.text import normalize_search
from core.tx import atomic

log = logging.getLogger(__name__)

HOURS_KEY = "calendar.working_hours"
SEEDED_KEY = "calendar.seeded_years"
NAME_MAX = 120
_HALF_DAY_WORDS = {normalize_search(w) for w in ("1", "true", "yes", "half", "half_day", "نیمه", "نیم‌روز", "نیمه‌وقت")}
_FULL_DAY_WORDS = {normalize_search(w) for w in ("0", "false", "no", "full", "کامل", "")}


class HolidayImportError(ValidationError):
    """Some lines of a holiday file were refused; the good ones were stored (`imported` of them)."""

    def __init__(self, imported: int, problems: list[tuple[int, str]]) -> None:
        self.imported = imported
        self.problems = problems
        lines = "; ".join(f"line {n}: {reason}" for n, reason in problems)
        super().__init__(f"{imported} holidays imported, {len(problems)} lines refused: {lines}")


def _jalali_key(day: date) -> str:
    y, m, d = to_jalali(day)
    return f"{y:04d}/{m:02d}/{d:02d}"


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise ValidationError(f"holiday name is longer than {NAME_MAX} characters")
    return name


async def add_holiday(jalali_text: str, name: str, *, by: User | None = None, half_day: bool = False) -> Holiday:
    """Add a holiday on a Jalali date typed with any digit set; ValidationError if that day is already one."""
    require_write(by, Area.SETTINGS)
    day, name = parse_jalali_date(jalali_text), _clean_name(name)
    if await Holiday.exists(date=day):
        raise ValidationError(f"{_jalali_key(day)} is already a holiday")
    try:
        async with atomic() as out:
            holiday = await Holiday.create(date=day, jalali=_jalali_key(day), name=name, half_day=half_day)
            await record(by, "holiday.add", holiday, jalali=holiday.jalali, name=name, half_day=half_day)
            out.emit("calendar.changed", holiday_id=holiday.id)
    except IntegrityError as exc:  # added by someone else a moment ago
        raise ValidationError(f"{_jalali_key(day)} is already a holiday") from exc
    return holiday


async def remove_holiday(holiday_id: int, *, by: User | None = None) -> None:
    """Delete a holiday from the table (NotFound if it does not exist)."""
    require_write(by, Area.SETTINGS)
    async with atomic() as out:
        holiday = await Holiday.get_or_none(id=holiday_id)
        if holiday is None:
            raise NotFound(f"holiday {holiday_id} does not exist")
        await record(by, "holiday.remove", holiday, jalali=holiday.jalali, name=holiday.name)
        await holiday.delete()
        out.emit("calendar.changed", holiday_id=holiday_id)


async def seed_fixed_holidays(from_year: int, to_year: int, *, by: User | None = None) -> int:
    """Add the fixed solar holidays of Jalali years from_year..to_year that are missing; returns how many."""
    require_write(by, Area.SETTINGS)
    if not MIN_YEAR <= from_year <= to_year <= MAX_YEAR:
        raise ValidationError(f"years must satisfy {MIN_YEAR} <= from_year <= to_year <= {MAX_YEAR}")
    wanted = {day: name for year in range(from_year, to_year + 1) for day, name in fixed_holidays_named(year)}
    async with atomic() as out:
        existing = set(await Holiday.filter(date__in=list(wanted)).values_list("date", flat=True))
        rows = [Holiday(date=d, jalali=_jalali_key(d), name=n) for d, n in wanted.items() if d not in existing]
        # ignore_conflicts: two processes seeding at start-up must not fail on the unique date
        await Holiday.bulk_create(rows, ignore_conflicts=True)
        created = await Holiday.filter(date__in=[r.date for r in rows]).order_by("date")
        for holiday in created:
            await record(by, "holiday.seed", holiday, jalali=holiday.jalali, name=holiday.name)
        if created:
            out.emit("calendar.changed", seeded=len(created))
    return len(rows)


async def ensure_fixed_holidays(now: datetime | None = None, *, years_ahead: int = 1, tz: str = TEHRAN) -> int:
    """Seed this Jalali year and the next ones once each (a removed holiday stays removed); for start-up."""
    current = jalali_year(now or datetime.now(UTC), tz)
    setting = await Setting.get_or_none(key=SEEDED_KEY)
    done = set(setting.value.get("years", [])) if setting and isinstance(setting.value, dict) else set()
    todo = [y for y in range(current, current + years_ahead + 1) if y not in done]
    created = 0
    for year in todo:
        created += await seed_fixed_holidays(year, year)
    if todo:
        async with atomic():
            await Setting.update_or_create(key=SEEDED_KEY, defaults={"value": {"years": sorted(done | set(todo))}})
    return created


def _parse_line(line: str) -> tuple[date, str, bool]:
    delimiter = min((d for d in (",", "،", "\t", ";") if d in line), key=line.index, default=",")
    fields = [f.strip() for f in next(csv.reader([line], delimiter=delimiter))]
    day = parse_jalali_date(fields[0])
    half_day = False
    if len(fields) >= 3 and normalize_search(fields[-1]) in _HALF_DAY_WORDS | _FULL_DAY_WORDS:
        half_day = normalize_search(fields.pop()) in _HALF_DAY_WORDS
    return day, _clean_name(delimiter.join(fields[1:])), half_day


async def import_holidays(csv_text: str, *, by: User | None = None) -> int:
    """Store lines `1405/04/14,تاسوعا[,half]`; good lines are kept, then HolidayImportError lists the bad ones."""
    require_write(by, Area.SETTINGS)
    good: dict[date, tuple[str, bool]] = {}
    problems: list[tuple[int, str]] = []
    for number, raw in enumerate((csv_text or "").lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            day, name, half_day = _parse_line(line)
        except (ValidationError, csv.Error) as exc:
            if not good and not problems and not any(ch.isdigit() for ch in line):
                continue  # a header line such as «تاریخ,نام»
            problems.append((number, str(exc)))
            continue
        good[day] = (name, half_day)
    if good:
        async with atomic() as out:
            for day, (name, half_day) in sorted(good.items()):
                await _upsert(day, name, half_day, by)
            out.emit("calendar.changed", imported=len(good))
    if problems:
        raise HolidayImportError(len(good), problems)
    return len(good)


async def _upsert(day: date, name: str, half_day: bool, by: User | None) -> None:
    holiday = await Holiday.get_or_none(date=day)
    if holiday is None:
        holiday = await Holiday.create(date=day, jalali=_jalali_key(day), name=name, half_day=half_day)
        await record(by, "holiday.import", holiday, jalali=holiday.jalali, name=name, half_day=half_day)
    elif (holiday.name, holiday.half_day) != (name, half_day):
        holiday.name, holiday.half_day = name, half_day
        await holiday.save(update_fields=["name", "half_day"])
        await record(by, "holiday.update", holiday, name=name, half_day=half_day)


async def set_working_hours(hours: dict[Any, Any], *, by: User | None = None) -> dict[str, list[list[str]]]:
    """Store the working hours ({"saturday": ["08:00", "16:00"], "thursday": ["08:00", "12:00"], ...})."""
    require_write(by, Area.SETTINGS)
    value = working_hours_to_json(parse_working_hours(hours))
    async with atomic() as out:
        setting, _ = await Setting.update_or_create(key=HOURS_KEY, defaults={"value": value})
        await record(by, "calendar.working_hours", setting, hours=value)
        out.emit("calendar.changed", setting=HOURS_KEY)
    return value


async def get_working_hours() -> dict[str, list[list[str]]]:
    """The working hours in force, as JSON (the defaults until an admin sets them)."""
    return working_hours_to_json((await load_calendar()).hours)


async def load_calendar(tz: str = TEHRAN) -> BusinessCalendar:
    """The business calendar from the stored working hours and the holiday table."""
    setting = await Setting.get_or_none(key=HOURS_KEY)
    hours = None
    if setting is not None and setting.value:
        try:
            hours = parse_working_hours(setting.value)
        except ValidationError:
            log.warning("stored %s is unusable; using the default working hours", HOURS_KEY, exc_info=True)
    rows = await Holiday.all().values_list("date", "half_day")
    full = [day for day, half in rows if not half]
    half_days = [day for day, half in rows if half]
    return BusinessCalendar(hours, full, half_days, tz)
