"""The Iranian business calendar: Saturday-Wednesday, Thursday half-day, Friday off, holidays skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.bizcal import (
    DEFAULT_HOURS,
    FRI,
    SAT,
    THU,
    BusinessCalendar,
    fixed_holidays,
    parse_working_hours,
    working_hours_to_json,
)
from core.errors import ValidationError
from core.jalali import days_in_month, parse_jalali_datetime, to_gregorian, to_jalali

SHIPPED = BusinessCalendar(holidays=[d for year in (1399, 1400, 1404, 1405, 1406) for d in fixed_holidays(year)])


def at(text: str) -> datetime:
    """A Tehran wall-clock time written in Jalali, as the aware UTC instant."""
    return parse_jalali_datetime(text)


def test_fixed_holidays_are_the_ten_solar_days_of_plt3() -> None:
    assert [to_jalali(d) for d in fixed_holidays(1405)] == [
        (1405, 1, 1),
        (1405, 1, 2),
        (1405, 1, 3),
        (1405, 1, 4),
        (1405, 1, 12),
        (1405, 1, 13),
        (1405, 3, 14),
        (1405, 3, 15),
        (1405, 11, 22),
        (1405, 12, 29),
    ]


def test_29_esfand_exists_in_every_year_leap_or_not() -> None:
    for year in range(1300, 1501):
        assert len(fixed_holidays(year)) == 10
        assert days_in_month(year, 12) >= 29


ADD_TABLE = [
    # start (Tehran), business minutes, end (Tehran), why
    ("1405/09/04 15:00", 480, "1405/09/07 11:00", "Wed 1h + Thu half-day 4h, Friday skipped, Sat 3h"),
    ("1405/09/04 15:00", 60, "1405/09/04 16:00", "ends exactly at closing time"),
    ("1405/09/05 11:00", 60, "1405/09/05 12:00", "Thursday closes at noon"),
    ("1405/09/05 11:00", 61, "1405/09/07 08:01", "the 61st minute is on Saturday"),
    ("1405/09/06 10:00", 60, "1405/09/07 09:00", "a Friday start begins on Saturday 08:00"),
    ("1405/09/04 22:00", 30, "1405/09/05 08:30", "a night start begins at 08:00"),
    ("1405/09/04 03:00", 30, "1405/09/04 08:30", "an early-morning start begins at 08:00 that day"),
    ("1405/09/07 07:00", 0, "1405/09/07 08:00", "zero minutes outside hours is the next business start"),
    ("1405/09/07 09:15", 0, "1405/09/07 09:15", "zero minutes inside hours is the start itself"),
    ("1405/09/07 08:00", 2640, "1405/09/12 12:00", "a full week (5x8h + Thursday 4h) ends at Thursday noon"),
    ("1405/09/07 08:00", 2641, "1405/09/14 08:01", "one more minute is on the next Saturday"),
    ("1404/12/27 15:00", 480, "1405/01/05 11:00", "29 Esfand (Fri) and Nowruz 1-4 Farvardin skipped"),
    ("1405/01/11 14:00", 240, "1405/01/15 10:00", "12 and 13 Farvardin (Wed, Thu) skipped"),
    ("1404/03/13 15:00", 120, "1404/03/17 09:00", "14 and 15 Khordad (Wed, Thu) skipped"),
    ("1404/11/21 15:30", 60, "1404/11/23 08:30", "22 Bahman (Wed) skipped"),
    ("1405/12/27 11:00", 120, "1406/01/05 09:00", "29 Esfand (Sat) and Nowruz 1406 (Sun-Wed) skipped"),
    ("1400/05/06 15:00", 480, "1400/05/09 11:00", "summer 1400 had daylight saving: wall-clock hours still count"),
]


@pytest.mark.parametrize(("start", "minutes", "end", "why"), ADD_TABLE)
def test_add_business_minutes_follows_the_hand_computed_table(start: str, minutes: int, end: str, why: str) -> None:
    result = SHIPPED.add_business_minutes(at(start), minutes)
    assert result == at(end), why
    assert result.tzinfo == UTC


@pytest.mark.parametrize(("start", "minutes", "end", "why"), ADD_TABLE)
def test_business_minutes_between_follows_the_same_table(start: str, minutes: int, end: str, why: str) -> None:
    if at(start) <= at(end):  # the "outside hours" rows start before the clock does: still the same minutes
        assert SHIPPED.business_minutes_between(at(start), at(end)) == minutes, why
        assert SHIPPED.business_minutes_between(at(end), at(start)) == -minutes, why


def test_an_8_hour_target_from_wednesday_15_00_ends_on_saturday() -> None:
    end = SHIPPED.add_business_minutes(at("1405/09/04 15:00"), 8 * 60)
    assert to_jalali(end) == (1405, 9, 7) and end.astimezone(SHIPPED.tz).weekday() == SAT


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("1405/09/07 08:00", True),
        ("1405/09/07 15:59", True),
        ("1405/09/07 16:00", False),
        ("1405/09/05 11:59", True),
        ("1405/09/05 12:00", False),
        ("1405/09/06 10:00", False),
        ("1405/01/01 10:00", False),
        ("1405/09/07 07:59", False),
    ],
)
def test_is_business_time_knows_hours_fridays_and_holidays(when: str, expected: bool) -> None:
    assert SHIPPED.is_business_time(at(when)) is expected


@pytest.mark.parametrize(
    ("when", "start"),
    [
        ("1405/09/06 10:00", "1405/09/07 08:00"),
        ("1405/09/04 10:00", "1405/09/04 10:00"),
        ("1405/09/04 16:00", "1405/09/05 08:00"),
        ("1405/09/05 12:00", "1405/09/07 08:00"),
        ("1404/12/28 13:00", "1405/01/05 08:00"),
    ],
)
def test_next_business_start(when: str, start: str) -> None:
    assert SHIPPED.next_business_start(at(when)) == at(start)


def test_lunar_holidays_entered_by_an_admin_are_skipped() -> None:
    tasua, ashura = to_gregorian(1405, 4, 3), to_gregorian(1405, 4, 4)  # example dates for a test year
    cal = BusinessCalendar(holidays=[tasua, ashura])
    assert cal.add_business_minutes(at("1405/04/02 15:00"), 120) == at("1405/04/06 09:00")


def test_a_half_day_holiday_keeps_only_the_morning_half() -> None:
    cal = BusinessCalendar(half_days=[to_gregorian(1405, 9, 7)])  # a Saturday: 08:00-12:00 only
    assert cal.add_business_minutes(at("1405/09/07 10:00"), 180) == at("1405/09/08 09:00")
    assert not cal.is_business_time(at("1405/09/07 12:30"))


def test_working_hours_are_configurable_including_a_lunch_break() -> None:
    hours = parse_working_hours({"شنبه": ["08:00-12:00", "۱۳:۰۰ تا ۱۷:۰۰"], "sunday": [["۰۸:۰۰", "۱۷:۰۰"]]})
    cal = BusinessCalendar(hours)
    assert cal.add_business_minutes(at("1405/09/07 11:30"), 60) == at("1405/09/07 13:30")
    assert cal.add_business_minutes(at("1405/09/07 16:30"), 60) == at("1405/09/08 08:30")
    assert not cal.is_working_day(to_gregorian(1405, 9, 9))  # Monday is off in this configuration


def test_default_hours_round_trip_through_json() -> None:
    stored = working_hours_to_json(DEFAULT_HOURS)
    assert stored["saturday"] == [["08:00", "16:00"]]
    assert stored["thursday"] == [["08:00", "12:00"]]
    assert stored["friday"] == []
    assert parse_working_hours(stored) == DEFAULT_HOURS
    assert DEFAULT_HOURS[THU] == ((480, 720),) and DEFAULT_HOURS[FRI] == ()


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ({"saturday": ["16:00", "08:00"]}, "end after it starts"),
        ({"saturday": ["08:00-12:00", "11:00-14:00"]}, "overlap"),
        ({"someday": ["08:00", "16:00"]}, "not a weekday"),
        ({"saturday": ["8 صبح", "16:00"]}, "not a time"),
        ({"saturday": ["08:00", "25:00"]}, "between 00:00 and 24:00"),
        ({"friday": []}, "at least one weekday"),
        ({"saturday": 8}, "expected spans"),
        ([], "mapping"),
    ],
)
def test_bad_working_hours_are_refused_with_a_reason(hours: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_working_hours(hours)  # type: ignore[arg-type]


def test_a_calendar_without_any_working_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one weekday"):
        BusinessCalendar({d: () for d in range(7)})


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(ValidationError):
        SHIPPED.add_business_minutes(at("1405/09/07 08:00"), -1)


def test_a_naive_datetime_is_taken_as_utc() -> None:
    aware = at("1405/09/04 15:00")
    assert SHIPPED.add_business_minutes(aware.replace(tzinfo=None), 60) == SHIPPED.add_business_minutes(aware, 60)


instants = st.datetimes(min_value=datetime(2025, 3, 1), max_value=datetime(2027, 3, 1), timezones=st.just(UTC))
holiday_sets = st.sets(st.dates(min_value=date(2025, 3, 1), max_value=date(2027, 6, 1)), max_size=40)


@settings(deadline=None)
@given(instants, st.integers(min_value=0, max_value=30_000), holiday_sets)
def test_business_minutes_between_inverts_add_business_minutes(start: datetime, minutes: int, holidays: set) -> None:
    cal = BusinessCalendar(holidays=holidays | set(SHIPPED.holidays))
    end = cal.add_business_minutes(start, minutes)
    assert end >= start
    assert cal.business_minutes_between(start, end) == minutes


@settings(deadline=None)
@given(instants, instants)
def test_adding_the_minutes_between_two_instants_lands_less_than_a_minute_before_the_later(
    a: datetime, b: datetime
) -> None:
    a, b = min(a, b), max(a, b)
    minutes = SHIPPED.business_minutes_between(a, b)
    if minutes:  # with 0 minutes the clock may not have started before b
        reached = SHIPPED.add_business_minutes(a, minutes)
        assert reached <= b
        assert SHIPPED.business_minutes_between(reached, b) == 0


@settings(deadline=None)
@given(instants, st.integers(min_value=1, max_value=10_000))
def test_a_positive_target_always_ends_inside_or_at_the_close_of_working_hours(start: datetime, minutes: int) -> None:
    end = SHIPPED.add_business_minutes(start, minutes)
    just_before = end - timedelta(seconds=1)
    assert SHIPPED.is_business_time(just_before)
