"""Phone normalization: every common spelling of an Iranian number becomes one E.164 value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.phones import format_phone_for_display, normalize_phone, phone_search_fragment, try_normalize_phone

MOBILE = "+989121234567"
MOBILE_SPELLINGS = [
    "09121234567",
    "+98 912 123 4567",
    "00989121234567",
    "۰۹۱۲۱۲۳۴۵۶۷",
    "٠٩١٢١٢٣٤٥٦٧",
    "912-123-4567",
    "9121234567",
    "989121234567",
    "+۹۸۹۱۲۱۲۳۴۵۶۷",
    "(0912) 123 45 67",
    "0912\u200c123\u200c4567",  # ZWNJ between groups
    "\u200f09121234567\u200e",  # RTL/LTR marks from copy-paste
    "0912.123.4567",
    "0912 123 4567",
    "+98-912-123-4567",
    "+98 (0) 912 123 4567",
    "0098 912 123 4567",
    "+989121234567",
    "98 912 123 4567",
    "۰۹۱۲-۱۲۳-۴۵۶۷",
    "٠٩١٢ ١٢٣ ٤٥٦٧",
    "tel:+989121234567",
    " 0912/123/4567 ",
    "+98\u00a0912\u00a0123\u00a04567",  # no-break spaces
    "0912–123–4567",  # en dashes
]


@pytest.mark.parametrize("raw", MOBILE_SPELLINGS)
def test_every_spelling_of_a_mobile_number_is_one_e164_value(raw: str) -> None:
    assert normalize_phone(raw) == MOBILE


def test_the_spelling_table_has_at_least_twenty_forms() -> None:
    assert len(set(MOBILE_SPELLINGS)) >= 20


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("02112345678", "+982112345678"),
        ("021 1234 5678", "+982112345678"),
        ("+98 21 1234 5678", "+982112345678"),
        ("۰۲۱-۱۲۳۴۵۶۷۸", "+982112345678"),
        ("2112345678", "+982112345678"),
        ("03132345678", "+983132345678"),  # Isfahan
        ("+14155552671", "+14155552671"),  # a foreign number stays itself
    ],
)
def test_landlines_and_foreign_numbers_normalize_too(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u200c", "empty"),
        ("0912", "too short"),
        ("12", "too short"),
        ("0912abc4567", "letters"),
        ("شماره", "letters"),
        ("0912123456", "too short"),  # one digit short
        ("091212345678", "too long"),
        ("+98912123456", "too short"),
        ("+1 415 555 267", "too short"),
        ("09121234567#1", "characters other than digits"),
        ("1" * 30, "too long"),
        ("+999 123 4567", "country code"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        normalize_phone(raw)


def test_non_text_input_is_refused_not_crashed_on() -> None:
    with pytest.raises(ValidationError):
        normalize_phone(9121234567)  # type: ignore[arg-type]


def test_try_normalize_phone_gives_none_for_invalid_input() -> None:
    assert try_normalize_phone("۰۹۱۲۱۲۳۴۵۶۷") == MOBILE
    assert try_normalize_phone("not a phone") is None


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+989121234567", "۰۹۱۲ ۱۲۳ ۴۵۶۷"),
        ("+982112345678", "۰۲۱ ۱۲۳۴ ۵۶۷۸"),
        ("+14155552671", "\u2066+۱ ۴۱۵-۵۵۵-۲۶۷۱\u2069"),
        ("garbage", "garbage"),
    ],
)
def test_display_form_uses_persian_digits_and_groups(e164: str, shown: str) -> None:
    assert format_phone_for_display(e164) == shown


@pytest.mark.parametrize(
    ("query", "fragment"),
    [("۰۹۱۲", "+98912"), ("0912 123", "+98912123"), ("912", "912"), ("0098912", "+98912"), ("علی", None)],
)
def test_a_typed_phone_fragment_becomes_the_matching_piece_of_e164(query: str, fragment: str | None) -> None:
    assert phone_search_fragment(query) == fragment
    if fragment:
        assert fragment in MOBILE


@settings(deadline=None)
@given(st.text())
def test_normalize_phone_raises_nothing_but_validation_error(raw: str) -> None:
    try:
        result = normalize_phone(raw)
    except ValidationError:
        return
    assert result.startswith("+") and result[1:].isdigit()


@settings(deadline=None)
@given(st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩+ -().\u200c", max_size=25))
def test_digit_heavy_input_raises_nothing_but_validation_error(raw: str) -> None:
    try:
        e164 = normalize_phone(raw)
    except ValidationError:
        return
    assert e164.startswith("+") and e164[1:].isdigit()
