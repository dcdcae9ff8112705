"""Persian search normalization: Arabic letters, ZWNJ, diacritics and digit sets match their Persian forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import (
    escape_like,
    like_pattern,
    matches,
    normalize_search,
    search_tokens,
    to_ascii_digits,
    to_persian_digits,
)

SAME_KEY = [
    ("علي", "علی"),  # Arabic yeh
    ("موسى", "موسی"),  # alef maksura
    ("كيان", "کیان"),  # Arabic kaf
    ("۰۹۱۲", "0912"),  # Persian digits
    ("٠٩١٢", "0912"),  # Arabic-Indic digits
    ("مُحَمَّد", "محمد"),  # harakat and shadda
    ("كتابـــها", "کتابها"),  # tatweel
    ("می‌خواهم", "میخواهم"),  # ZWNJ
    ("\u200fعلی\u200e", "علی"),  # RTL/LTR marks
    ("  رضا   احمدی ", "رضا احمدی"),  # spaces collapse
    ("Kian TEHRANI", "kian tehrani"),  # casefold
    ("آرش", "ارش"),  # alef madda
    ("ﻛﻴﺎﻥ", "کیان"),  # presentation forms
    ("خانۀ", "خانه"),  # heh with yeh above
]


@pytest.mark.parametrize(("typed", "stored"), SAME_KEY)
def test_spellings_of_one_word_share_one_search_key(typed: str, stored: str) -> None:
    assert normalize_search(typed) == normalize_search(stored)


@pytest.mark.parametrize(
    ("query", "text"),
    [("علي", "علی رضایی"), ("كيان", "کیان تهرانی"), ("۰۹۱۲", "09121234567"), ("رضايي علی", "علی رضایی")],
)
def test_search_finds_the_persian_spelling(query: str, text: str) -> None:
    assert matches(query, text)


def test_search_does_not_match_a_different_word() -> None:
    assert not matches("کیوان", "کیان")


def test_digits_convert_between_the_three_sets() -> None:
    assert to_ascii_digits("۱۲۳٤٥٦789") == "123456789"
    assert to_persian_digits("1405/09/05") == "۱۴۰۵/۰۹/۰۵"
    assert to_persian_digits(42) == "۴۲"


def test_search_tokens_are_normalized_and_unique() -> None:
    assert search_tokens(" علي  علی كيان ") == ["علی", "کیان"]
    assert search_tokens("") == []


def test_like_pattern_escapes_wildcards_and_wraps_the_key() -> None:
    assert like_pattern("50%_off") == "%50\\%\\_off%"
    assert like_pattern("   ") == ""
    assert escape_like("a\\b") == "a\\\\b"


def test_none_is_an_empty_key() -> None:
    assert normalize_search(None) == ""


@settings(deadline=None)
@given(st.text())
def test_normalize_search_is_idempotent_and_never_raises(text: str) -> None:
    key = normalize_search(text)
    assert normalize_search(key) == key


@settings(deadline=None)
@given(st.text())
def test_normalized_keys_have_no_arabic_letters_joiners_or_non_ascii_digits(text: str) -> None:
    key = normalize_search(text)
    assert not set(key) & set("يىكۀ\u200c\u200d\u200e\u200f\u0640۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
