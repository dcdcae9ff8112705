"""The holiday table and working hours in the database drive the business calendar (PLT-3)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from core.actions.calendar import (
    HOURS_KEY,
    HolidayImportError,
    add_holiday,
    ensure_fixed_holidays,
    get_working_hours,
    import_holidays,
    load_calendar,
    remove_holiday,
    seed_fixed_holidays,
    set_working_hours,
)
from core.actions.staff import create_user
from core.errors import NotFound, ValidationError
from core.events import Event, bus
from core.jalali import parse_jalali_datetime, to_gregorian
from core.models import AuditLog, Holiday, Role, Setting, User


async def admin() -> User:
    return await create_user("calendar-admin", "s3cret-pass", role=Role.ADMIN)


async def test_a_holiday_typed_with_any_digit_set_is_stored_once_with_its_jalali_spelling(db: str) -> None:
    holiday = await add_holiday("۱۴۰۵/۰۴/۰۳", "تاسوعا", by=await admin())
    assert holiday.date == to_gregorian(1405, 4, 3)
    assert holiday.jalali == "1405/04/03"
    with pytest.raises(ValidationError, match="already a holiday"):
        await add_holiday("١٤٠٥-٤-٣", "تاسوعای حسینی")
    assert await Holiday.filter(date=to_gregorian(1405, 4, 3)).count() == 1


async def test_an_impossible_date_is_refused_and_nothing_is_stored(db: str) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        await add_holiday("1405/12/30", "روز ناموجود")
    assert await Holiday.all().count() == 0


async def test_staff_changes_to_holidays_write_audit_rows(db: str) -> None:
    user = await admin()
    holiday = await add_holiday("1405/04/04", "عاشورا", by=user, half_day=True)
    await remove_holiday(holiday.id, by=user)
    rows = await AuditLog.filter(object_type="holiday").order_by("id").values("action", "user_id", "object_id")
    assert [(r["action"], r["user_id"], r["object_id"]) for r in rows] == [
        ("holiday.add", user.id, str(holiday.id)),
        ("holiday.remove", user.id, str(holiday.id)),
    ]
    assert not await Holiday.exists(id=holiday.id)


async def test_removing_a_missing_holiday_is_not_found(db: str) -> None:
    with pytest.raises(NotFound):
        await remove_holiday(999)


async def test_seeding_fixed_holidays_is_idempotent(db: str) -> None:
    assert await seed_fixed_holidays(1404, 1406) == 30
    assert await seed_fixed_holidays(1404, 1406) == 0
    assert await seed_fixed_holidays(1405, 1407) == 10
    names = await Holiday.filter(jalali__startswith="1405/").order_by("date").values_list("jalali", "name")
    assert names[0] == ("1405/01/01", "نوروز")
    assert names[-1] == ("1405/12/29", "ملی‌شدن صنعت نفت")


async def test_seeding_keeps_a_holiday_an_admin_already_named(db: str) -> None:
    await add_holiday("1405/01/13", "سیزده‌به‌در")
    assert await seed_fixed_holidays(1405, 1405) == 9
    assert (await Holiday.get(jalali="1405/01/13")).name == "سیزده‌به‌در"


async def test_start_up_seeding_does_not_bring_back_a_removed_holiday(db: str) -> None:
    now = parse_jalali_datetime("1405/06/01 10:00")
    assert await ensure_fixed_holidays(now) == 20  # this year and the next
    removed = await Holiday.get(jalali="1405/11/22")
    await remove_holiday(removed.id)
    assert await ensure_fixed_holidays(now) == 0
    assert not await Holiday.exists(jalali="1405/11/22")


async def test_import_keeps_good_lines_and_reports_bad_ones_by_line_number(db: str) -> None:
    csv_text = "\n".join(
        [
            "تاریخ,نام",
            "1405/04/03,تاسوعا",
            "۱۴۰۵/۰۴/۰۴،عاشورا",
            "1405/12/31,روز ناموجود",
            "",
            "# comment",
            "فردا,عید",
            '1405/05/13,"اربعین، حسینی",half',
            "١٤٠٥/٠٦/٢١\tرحلت پیامبر",
        ]
    )
    with pytest.raises(HolidayImportError) as caught:
        await import_holidays(csv_text, by=await admin())
    assert caught.value.imported == 4
    assert [n for n, _ in caught.value.problems] == [4, 7]
    assert "line 4" in str(caught.value) and "line 7" in str(caught.value)
    stored = dict(await Holiday.all().values_list("jalali", "name"))
    assert stored == {
        "1405/04/03": "تاسوعا",
        "1405/04/04": "عاشورا",
        "1405/05/13": "اربعین، حسینی",
        "1405/06/21": "رحلت پیامبر",
    }
    assert (await Holiday.get(jalali="1405/05/13")).half_day is True
    assert await AuditLog.filter(action="holiday.import").count() == 4


async def test_importing_the_same_file_twice_changes_nothing(db: str) -> None:
    csv_text = "1405/04/03,تاسوعا\n1405/04/04,عاشورا\n"
    assert await import_holidays(csv_text) == 2
    assert await import_holidays(csv_text) == 2
    assert await Holiday.all().count() == 2
    assert await AuditLog.filter(object_type="holiday").count() == 2


async def test_working_hours_are_stored_in_a_setting_with_an_audit_row(db: str) -> None:
    user = await admin()
    stored = await set_working_hours({"saturday": "08:00-17:00", "sunday": ["08:00", "17:00"]}, by=user)
    assert stored["saturday"] == [["08:00", "17:00"]] and stored["thursday"] == []
    assert (await Setting.get(key=HOURS_KEY)).value == stored
    assert await get_working_hours() == stored
    assert await AuditLog.filter(action="calendar.working_hours", user_id=user.id).count() == 1


async def test_bad_working_hours_are_refused_and_the_old_ones_kept(db: str) -> None:
    before = await get_working_hours()
    with pytest.raises(ValidationError, match="end after it starts"):
        await set_working_hours({"saturday": ["17:00", "08:00"]})
    assert await get_working_hours() == before
    assert not await Setting.exists(key=HOURS_KEY)


async def test_the_loaded_calendar_uses_the_stored_hours_and_holidays(db: str) -> None:
    await seed_fixed_holidays(1405, 1405)
    await add_holiday("1405/04/03", "تاسوعا")  # Wednesday
    await add_holiday("1405/04/06", "نیم‌روز", half_day=True)  # Saturday: 08:00-12:00
    calendar = await load_calendar()
    start = parse_jalali_datetime("1405/04/02 15:00")  # Tuesday
    # Tue 1h, Wed holiday, Thu 4h, Fri off, Sat half-day 4h, Sun 08:00 + 1h
    assert calendar.add_business_minutes(start, 600) == parse_jalali_datetime("1405/04/07 09:00")
    assert calendar.add_business_minutes(parse_jalali_datetime("1404/12/28 13:00"), 60) == parse_jalali_datetime(
        "1405/01/05 09:00"
    )


async def test_the_loaded_calendar_follows_changed_working_hours(db: str) -> None:
    await set_working_hours({"saturday": ["09:00", "13:00"], "sunday": ["09:00", "13:00"]})
    calendar = await load_calendar()
    start = parse_jalali_datetime("1405/09/07 12:00")  # Saturday
    assert calendar.add_business_minutes(start, 120) == parse_jalali_datetime("1405/09/08 10:00")


async def test_a_corrupt_stored_setting_falls_back_to_the_default_hours(db: str) -> None:
    await Setting.create(key=HOURS_KEY, value={"saturday": "nonsense"})
    calendar = await load_calendar()
    assert calendar.is_business_time(datetime(2026, 11, 28, 6, 0, tzinfo=UTC))  # Saturday 09:30 Tehran


async def test_calendar_changes_publish_an_event_after_commit(db: str) -> None:
    seen: list[Event] = []
    unsubscribe = bus.subscribe("calendar.changed", seen.append)
    try:
        holiday = await add_holiday("1405/04/03", "تاسوعا")
    finally:
        unsubscribe()
    assert [(e.name, e.data) for e in seen] == [("calendar.changed", {"holiday_id": holiday.id})]


async def test_concurrent_seeding_stores_each_fixed_holiday_once(db: str) -> None:
    await asyncio.gather(*(seed_fixed_holidays(1405, 1405) for _ in range(5)))
    assert await Holiday.all().count() == 10


async def test_concurrent_adds_of_one_date_store_one_row_and_refuse_the_rest(db: str) -> None:
    results = await asyncio.gather(
        *(add_holiday("1405/04/03", f"تاسوعا {i}") for i in range(5)), return_exceptions=True
    )
    assert sum(isinstance(r, Holiday) for r in results) == 1
    assert all(isinstance(r, ValidationError) for r in results if not isinstance(r, Holiday))
    assert await Holiday.all().count() == 1
