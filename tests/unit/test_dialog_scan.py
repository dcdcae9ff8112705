"""The bot-text scanner itself: it catches Latin digits and Gregorian dates, and lets Jalali dates and money pass."""

from __future__ import annotations

import pytest

from tests.support.bot_scan import problems, scan


@pytest.mark.parametrize(
    "text",
    [
        "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵",
        "سررسید ۵ آذر ۱۴۰۵",
        "۲٬۰۰۰٬۰۰۰ ریال",
        "درخواست شما با شمارهٔ ۱۴۰۵-۰۰۰۴۲ ثبت شد.",
        "سفارش S-۱۴۰۵-۰۰۰۱۷",
        "۱٬۹۹۹ عدد",
        "مهر ۱۴۰۵",
    ],
)
def test_persian_digits_jalali_dates_and_money_pass(text: str) -> None:
    assert problems(text) == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("شمارهٔ درخواست 1405-00042", "Latin digit"),
        ("سررسید ۲۰۲۶/۱۱/۲۶", "Gregorian year"),
        ("سررسید ٢٠٢٧-٠١-١٠", "Gregorian year"),
        ("تحویل ۱۰ ژانویه", "Gregorian month"),
        ("due 10 March", "Gregorian month"),
    ],
)
def test_latin_digits_and_gregorian_dates_are_caught(text: str, why: str) -> None:
    assert any(p.startswith(why) for p in problems(text))


def test_scan_lists_only_the_bad_texts() -> None:
    assert list(scan(["سلام", "کد 12", "۱۴۰۵/۰۱/۰۱"])) == ["کد 12"]
