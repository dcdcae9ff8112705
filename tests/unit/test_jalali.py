"""Jalali dates: conversion agrees with persiantools, rendering uses Persian digits, parsing takes any digit set."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from persiantools.jdatetime import JalaliDate

from core.errors import ValidationError
from core.jalali import (
    MONTH_NAMES,
    days_in_month,
    format_date,
    format_date_numeric,
    format_datetime,
    format_time,
    is_leap_year,
    jalali_year,
    parse_jalali_date,
    parse_jalali_datetime,
    to_gregorian,
    to_jalali,
)

ASCII_DIGIT = re.compile(r"[0-9]")
FIRST, LAST = date(1921, 3, 21), date(2122, 3, 20)  # 1300/01/01 and 1500/12/29


def test_the_checked_range_is_1300_01_01_to_1500_12_29() -> None:
    assert to_jalali(FIRST) == (1300, 1, 1)
    assert to_jalali(LAST) == (1500, 12, 29)


def test_gregorian_to_jalali_agrees_with_persiantools_for_every_day_1300_to_1500() -> None:
    day, checked = FIRST, 0
    while day <= LAST:
        other = JalaliDate.to_jalali(day)
        assert to_jalali(day) == (other.year, other.month, other.day), day
        day += timedelta(days=1)
        checked += 1
    assert checked == (LAST - FIRST).days + 1 > 73_000


def test_jalali_to_gregorian_agrees_with_persiantools_for_every_day_1300_to_1500() -> None:
    checked = 0
    for year in range(1300, 1501):
        assert is_leap_year(year) == JalaliDate.is_leap(year), year
        for month in range(1, 13):
            for day in range(1, days_in_month(year, month) + 1):
                assert to_gregorian(year, month, day) == JalaliDate(year, month, day).to_gregorian(), (year, month, day)
                checked += 1
    assert checked == (LAST - FIRST).days + 1


def test_dates_render_with_month_names_and_persian_digits() -> None:
    assert format_date(date(2026, 11, 26)) == "۵ آذر ۱۴۰۵"
    assert format_date_numeric(date(2026, 11, 26)) == "۱۴۰۵/۰۹/۰۵"


def test_an_utc_instant_is_shown_in_tehran_time() -> None:
    instant = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # 14:30 in Tehran (UTC+03:30)
    assert format_datetime(instant) == "۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰"
    assert format_time(instant) == "۱۴:۳۰"


def test_late_evening_utc_is_already_the_next_day_in_tehran() -> None:
    instant = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 00:30 on 26 November in Tehran
    assert format_date(instant) == "۵ آذر ۱۴۰۵"


def test_jalali_year_counts_in_tehran_time() -> None:
    assert jalali_year(datetime(2026, 3, 20, 20, 0, tzinfo=UTC)) == 1404  # 23:30 on 29 Esfand 1404
    assert jalali_year(datetime(2026, 3, 20, 21, 0, tzinfo=UTC)) == 1405  # 00:30 on 1 Farvardin 1405


def test_there_are_twelve_persian_month_names() -> None:
    assert MONTH_NAMES[0] == "فروردین" and MONTH_NAMES[8] == "آذر" and len(MONTH_NAMES) == 12


@pytest.mark.parametrize(
    "text",
    [
        "1405/09/05",
        "۱۴۰۵/۰۹/۰۵",
        "١٤٠٥-٩-٥",
        "1405.9.5",
        "۱۴۰۵-۰۹-۰۵",
        " 1405 / 9 / 5 ",
        "05/09/1405",
        "۵ آذر ۱۴۰۵",
        "5 اذر 1405",
        "\u200f۱۴۰۵/۰۹/۰۵\u200e",
    ],
)
def test_a_jalali_date_typed_with_any_digit_set_parses(text: str) -> None:
    assert parse_jalali_date(text) == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1405/12/31", "does not exist"),
        ("1405/12/30", "does not exist"),  # 1405 is not a leap year
        ("1405/13/01", "month 13"),
        ("1405/07/31", "does not exist"),
        ("1405/00/10", "month 0"),
        ("2026/11/26", "Gregorian"),
        ("", "empty"),
        ("فردا", "not a Jalali date"),
        ("1405/09", "not a Jalali date"),
        ("99/09/05", "out of range"),
    ],
)
def test_an_impossible_or_malformed_date_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_jalali_date(text)


def test_30_esfand_parses_in_a_leap_year() -> None:
    assert is_leap_year(1403)
    assert parse_jalali_date("1403/12/30") == date(2025, 3, 20)


@pytest.mark.parametrize(
    "text",
    [
        "1405/09/05 14:30",
        "۱۴۰۵/۰۹/۰۵ ۱۴:۳۰",
        "١٤٠٥/٩/٥ ١٤:٣٠:٠٠",
        "۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰",
        "1405-09-05T14:30",
        "\u200f1405/09/05 14:30\u200e",
    ],
)
def test_a_jalali_date_and_time_parse_to_an_aware_utc_instant(text: str) -> None:
    assert parse_jalali_datetime(text) == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def test_a_date_without_time_is_tehran_midnight() -> None:
    assert parse_jalali_datetime("1405/09/05") == datetime(2026, 11, 25, 20, 30, tzinfo=UTC)


def test_an_impossible_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="time of day"):
        parse_jalali_datetime("1405/09/05 25:00")


@settings(deadline=None)
@given(st.datetimes(min_value=datetime(1922, 1, 1), max_value=datetime(2121, 1, 1), timezones=st.just(UTC)))
def test_every_rendered_string_uses_only_persian_digits(instant: datetime) -> None:
    for shown in (format_date(instant), format_date_numeric(instant), format_datetime(instant), format_time(instant)):
        assert not ASCII_DIGIT.search(shown), shown


@settings(deadline=None)
@given(st.dates(min_value=FIRST, max_value=LAST))
def test_rendered_dates_parse_back_to_the_same_day(day: date) -> None:
    assert parse_jalali_date(format_date(day)) == day
    assert parse_jalali_date(format_date_numeric(day)) == day


@settings(deadline=None)
@given(st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_rendered_datetime_parses_back_to_the_same_minute(instant: datetime) -> None:
    assert parse_jalali_datetime(format_datetime(instant)) == instant.replace(second=0, microsecond=0)


@settings(deadline=None)
@given(st.text())
def test_parsing_arbitrary_text_raises_only_validation_error(text: str) -> None:
    for parse in (parse_jalali_date, parse_jalali_datetime):
        try:
            parsed = parse(text)
        except ValidationError:
            continue
        assert isinstance(parsed, date)  # a datetime is a date too
