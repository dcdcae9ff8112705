"""The bot's Persian copy (STYLE.md): Persian digits and punctuation, Persian ی and ک, no Gregorian dates."""

from __future__ import annotations

import re

import pytest

from handlers import copy
from tests.support.bot_scan import problems

TEXTS = (
    [(name, value) for name, value in vars(copy).items() if name.isupper() and isinstance(value, str)]
    + [(f"CASE_STATUS[{k}]", v) for k, v in copy.CASE_STATUS.items()]
    + [(f"SURVEY_HINTS[{k}]", v) for k, v in copy.SURVEY_HINTS.items()]
)


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_bot_copy_is_written_the_persian_way(name: str, text: str) -> None:
    assert not problems(text), name
    assert not re.search("[يك]", text), f"{name}: Arabic ي or ك"
    assert not re.search(r"[?,;%]", text), f"{name}: Latin punctuation"
    assert "  " not in text, f"{name}: double space"


def test_menu_entries_are_the_six_of_the_issue() -> None:
    from handlers.flows.menu import ENTRIES

    assert [label for _, label in ENTRIES] == [
        "درخواست خدمات",
        "سفارش‌های من",
        "محموله‌های وارداتی من",
        "درخواست‌های من",
        "استعلام قیمت",
        "گفتگو با کارشناس",
    ]
