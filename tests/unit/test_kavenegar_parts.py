"""SMS part counting (what Kavenegar bills) and opt-out keywords."""

from __future__ import annotations

import pytest

from channels.kavenegar import is_opt_out, sms_parts


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),  # GSM-7: 160 in one SMS
        ("a" * 161, 2),  # ... then 153 per part
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("س" * 70, 1),  # Persian is UCS-2: 70 in one SMS
        ("س" * 71, 2),  # ... then 67 per part
        ("س" * 134, 2),
        ("س" * 135, 3),
        ("سلام، وقت بخیر. سفارش ۱۴۰۵-۰۰۰۴۲ شما ارسال شد.", 1),
        ("Order 42 is ready" + "؟", 1),  # one Persian mark makes the whole SMS UCS-2
        ("a" * 69 + "س", 1),
        ("a" * 70 + "س", 2),
        ("€" * 80, 1),  # GSM extension characters take two septets
        ("€" * 81, 2),
        ("Ça va à 5€", 1),
        ("😀" * 35, 1),  # emoji are two UCS-2 units
        ("😀" * 36, 2),
    ],
)
def test_sms_parts_follow_gsm7_and_ucs2_limits(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_a_long_persian_message_is_billed_in_67_character_parts() -> None:
    text = "پیک" * 100  # 300 characters
    assert sms_parts(text) == 5  # ceil(300 / 67)


def test_a_two_septet_character_never_straddles_two_parts() -> None:
    # 152 plain septets then "€" (2 septets) does not fit the first 153-septet part.
    assert sms_parts("a" * 152 + "€" + "a" * 152) == 3


@pytest.mark.parametrize("text", ["لغو", "۱۱", "11", "١١", "STOP", "stop", " Stop ", "لغو.", "\u200cلغو\n"])
def test_opt_out_words_are_recognised_in_any_digits_case_or_padding(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["لغو سفارش ۱۲", "111", "1", "stop it", "سلام", "", "11 لطفا"])
def test_other_messages_are_not_opt_outs(text: str) -> None:
    assert not is_opt_out(text)
