"""The business calendar page (PLT-3): working hours per weekday and the holiday table of a Jalali year."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from admin.web import alarm_copy as copy
from admin.web.nav import NavItem, register
from admin.web.records import back, int_or_none, page_view
from admin.web.roles import require_area
from admin.web.staff_forms import field
from core.actions.calendar import (
    HolidayImportError,
    add_holiday,
    get_working_hours,
    import_holidays,
    remove_holiday,
    seed_fixed_holidays,
    set_working_hours,
)
from core.areas import Area
from core.errors import NotFound, ValidationError
from core.jalali import MAX_YEAR, MIN_YEAR, format_date_numeric, jalali_year, to_gregorian
from core.models import Holiday
from core.text import to_persian_digits


def _year(request: web.Request) -> int:
    year = int_or_none(request.query.get("year"))
    return year if year and MIN_YEAR <= year <= MAX_YEAR else jalali_year(datetime.now(UTC))


def _spans_text(spans: list[list[str]]) -> str:
    return to_persian_digits("، ".join(f"{a}-{b}" for a, b in spans))


async def _page(
    request: web.Request, *, error: str = "", status: int = 200, hours: dict[str, str] | None = None
) -> web.Response:
    year = _year(request)
    start, end = to_gregorian(year, 1, 1), to_gregorian(year + 1, 1, 1)
    holidays = await Holiday.filter(date__gte=start, date__lt=end).order_by("date")
    stored = await get_working_hours()
    context = {
        "year": year,
        "holidays": holidays,
        "hours": hours or {day: _spans_text(stored.get(day, [])) for day, _ in copy.WEEKDAYS},
        "weekdays": copy.WEEKDAYS,
        "numeric": format_date_numeric,
        "error": error,
    }
    return page_view("calendar.html", request, context, status=status)


async def calendar_page(request: web.Request) -> web.Response:
    """Working hours and the holidays of one Jalali year (?year=1405)."""
    require_area(request, Area.SETTINGS)
    return await _page(request)


async def hours_save(request: web.Request) -> web.Response:
    """Save the working hours (a day left empty is off)."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    typed = {day: field(form, day, 100) for day, _ in copy.WEEKDAYS}
    value = {day: [s.strip() for s in text.replace("،", ",").split(",") if s.strip()] for day, text in typed.items()}
    try:
        await set_working_hours(value, by=user)
    except ValidationError:
        return await _page(request, error=copy.BAD_HOURS, status=400, hours=typed)
    raise back(request, "/admin/calendar", copy.HOURS_SAVED)


async def holiday_add(request: web.Request) -> web.Response:
    """Add a holiday on a Jalali date (lunar holidays are entered per year)."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    try:
        holiday = await add_holiday(
            field(form, "date", 20), field(form, "name", 120), by=user, half_day=form.get("half_day") == "on"
        )
    except ValidationError:
        return await _page(request, error=copy.BAD_HOLIDAY, status=400)
    year = holiday.jalali[:4]
    raise back(
        request, f"/admin/calendar?year={year}", copy.HOLIDAY_ADDED.format(date=to_persian_digits(holiday.jalali))
    )


async def holiday_remove(request: web.Request) -> web.Response:
    """Remove a holiday."""
    user = require_area(request, Area.SETTINGS, write=True)
    try:
        await remove_holiday(int_or_none(request.match_info["id"]) or 0, by=user)
    except NotFound:
        pass  # removed a moment ago by someone else: the page shows the table as it is
    raise back(request, "/admin/calendar", copy.HOLIDAY_REMOVED)


async def holidays_import(request: web.Request) -> web.Response:
    """Import holidays from pasted lines `1405/04/14,تاسوعا[,half]`; the good lines are kept."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    text = form.get("lines", "")
    try:
        count = await import_holidays(text if isinstance(text, str) else "", by=user)
    except HolidayImportError as exc:
        lines = to_persian_digits("، ".join(str(n) for n, _ in exc.problems))
        raise back(
            request,
            "/admin/calendar",
            copy.BAD_IMPORT.format(count=to_persian_digits(exc.imported), lines=lines),
            error=True,
        ) from None
    raise back(request, "/admin/calendar", copy.HOLIDAYS_IMPORTED.format(count=to_persian_digits(count)))


async def holidays_seed(request: web.Request) -> web.Response:
    """Add the fixed solar holidays of a year that are missing."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    year = int_or_none(field(form, "year", 4))
    try:
        count = await seed_fixed_holidays(year or 0, year or 0, by=user)
    except ValidationError:
        raise back(request, "/admin/calendar", copy.BAD_YEAR, error=True) from None
    text = copy.HOLIDAYS_SEEDED.format(count=to_persian_digits(count), year=to_persian_digits(year or 0))
    raise back(request, f"/admin/calendar?year={year}", text)


def setup(app: web.Application) -> None:
    """Register the calendar pages and their menu entry."""
    app.router.add_get("/admin/calendar", calendar_page, name="calendar")
    app.router.add_post("/admin/calendar/hours", hours_save)
    app.router.add_post("/admin/calendar/holidays", holiday_add)
    app.router.add_post(r"/admin/calendar/holidays/{id:\d+}/delete", holiday_remove)
    app.router.add_post("/admin/calendar/import", holidays_import)
    app.router.add_post("/admin/calendar/seed", holidays_seed)
    register(NavItem("/admin/calendar", "تقویم کاری", area=Area.SETTINGS))
