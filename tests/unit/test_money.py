"""Money: integer Rials shown as Rial or Toman with Persian digits and separators, parsed from any digit set."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.money import format_money, format_number, parse_money


@pytest.mark.parametrize(
    ("rials", "currency", "shown"),
    [
        (2_500_000, "IRR", "۲٬۵۰۰٬۰۰۰ ریال"),
        (2_500_000, "IRT", "۲۵۰٬۰۰۰ تومان"),
        (0, "IRR", "۰ ریال"),
        (999, "IRR", "۹۹۹ ریال"),
        (1000, "IRR", "۱٬۰۰۰ ریال"),
        (15, "IRT", "۱ تومان"),  # whole Tomans: the 5 Rials are not shown
        (-25_000, "IRR", "−۲۵٬۰۰۰ ریال"),
        (-25_005, "IRT", "−۲٬۵۰۰ تومان"),
        (12_345_678_901_230, "IRT", "۱٬۲۳۴٬۵۶۷٬۸۹۰٬۱۲۳ تومان"),
    ],
)
def test_amounts_render_in_rial_or_toman_with_persian_separators(rials: int, currency: str, shown: str) -> None:
    assert format_money(rials, currency) == shown


def test_the_separator_is_the_persian_thousands_separator() -> None:
    assert format_number(1_000_000) == "۱\u066c۰۰۰\u066c۰۰۰"


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError, match="currency"):
        format_money(100, "USD")


def test_a_non_integer_amount_is_refused() -> None:
    with pytest.raises(ValidationError, match="whole number"):
        format_money(2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "currency", "rials"),
    [
        ("2500000", "IRR", 2_500_000),
        ("2,500,000", "IRR", 2_500_000),
        ("۲٬۵۰۰٬۰۰۰", "IRR", 2_500_000),
        ("٢،٥٠٠،٠٠٠", "IRR", 2_500_000),
        ("۲ ۵۰۰ ۰۰۰", "IRR", 2_500_000),
        ("۲۵۰٬۰۰۰", "IRT", 2_500_000),
        ("250,000 تومان", "IRR", 2_500_000),  # a written unit wins over the form's currency
        ("۲٬۵۰۰٬۰۰۰ ریال", "IRT", 2_500_000),
        ("-1,000", "IRR", -1000),
        ("−۱٬۰۰۰ ریال", "IRR", -1000),
        (250_000, "IRT", 2_500_000),
    ],
)
def test_typed_amounts_parse_to_rials(text: str | int, currency: str, rials: int) -> None:
    assert parse_money(text, currency) == rials


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("ریال", "empty"),
        ("2.5", "whole number"),
        ("دو میلیون", "whole number"),
        ("1" * 40, "too large"),
        ("12abc", "whole number"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_money(text)


@settings(deadline=None)
@given(st.integers(min_value=-(10**17), max_value=10**17), st.sampled_from(["IRR", "IRT"]))
def test_a_formatted_amount_parses_back(rials: int, currency: str) -> None:
    shown = format_money(rials, currency)
    assert not any(ch.isascii() and ch.isdigit() for ch in shown)
    expected = rials if currency == "IRR" else (abs(rials) // 10 * 10) * (-1 if rials < 0 else 1)
    assert parse_money(shown, "IRR") == expected


@settings(deadline=None)
@given(st.text())
def test_parsing_arbitrary_text_raises_only_validation_error(text: str) -> None:
    try:
        rials = parse_money(text)
    except ValidationError:
        return
    assert isinstance(rials, int)
