"""Outbound shaping for the Bot API: splitting long text and turning keyboards into reply_markup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.base import PermanentSendError
from channels.telegram_format import TEXT_LIMIT, reply_markup, split_text, utf16_len
from channels.telegram_sender import file_url


def test_short_text_is_one_piece() -> None:
    assert split_text("سلام") == ["سلام"]


def test_long_text_splits_at_line_breaks_within_the_limit() -> None:
    line = "این یک خط از پاسخ طولانی پشتیبانی است." + "\u200c"
    text = "\n".join([line] * 300)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(utf16_len(p) <= TEXT_LIMIT for p in pieces)
    assert all(p.endswith(line) for p in pieces)
    assert "\n".join(pieces) == text


def test_text_without_line_breaks_splits_between_words() -> None:
    text = " ".join(["درخواست‌ها"] * 1000)
    pieces = split_text(text)
    assert all(utf16_len(p) <= TEXT_LIMIT for p in pieces)
    assert all(p.split(" ")[-1] == "درخواست‌ها" for p in pieces)
    assert " ".join(pieces) == text


def test_one_endless_word_is_cut_hard() -> None:
    pieces = split_text("ا" * 9000)
    assert [len(p) for p in pieces] == [4096, 4096, 808]


def test_emoji_count_twice_towards_the_limit() -> None:
    pieces = split_text("😀" * 3000)
    assert [utf16_len(p) for p in pieces] == [4096, 1904]


@given(st.text(alphabet=st.sampled_from(list("سلامابپ \n😀")), max_size=12000))
def test_pieces_fit_and_lose_no_visible_text(text: str) -> None:
    pieces = split_text(text, limit=500)
    assert all(utf16_len(p) <= 500 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_buttons_with_data_make_an_inline_keyboard() -> None:
    keyboard = [[{"text": "پیگیری سفارش", "data": "menu:orders"}], [{"text": "سایت", "url": "https://example.ir"}]]
    assert reply_markup(keyboard) == {
        "inline_keyboard": [
            [{"text": "پیگیری سفارش", "callback_data": "menu:orders"}],
            [{"text": "سایت", "url": "https://example.ir"}],
        ]
    }


def test_plain_buttons_make_a_resized_one_time_reply_keyboard() -> None:
    markup = reply_markup(
        {"reply": [["۱ـ سفارش‌ها", "۲ـ پشتیبانی"], [{"text": "ارسال شماره", "request_contact": True}]]}
    )
    assert markup == {
        "keyboard": [
            [{"text": "۱ـ سفارش‌ها"}, {"text": "۲ـ پشتیبانی"}],
            [{"text": "ارسال شماره", "request_contact": True}],
        ],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def test_inline_strings_use_their_text_as_callback_data() -> None:
    assert reply_markup({"inline": [["بله", "خیر"]]}) == {
        "inline_keyboard": [[{"text": "بله", "callback_data": "بله"}, {"text": "خیر", "callback_data": "خیر"}]]
    }


def test_remove_and_empty_keyboards() -> None:
    assert reply_markup({"remove": True}) == {"remove_keyboard": True}
    assert reply_markup(None) is None and reply_markup([]) is None


def test_a_bot_api_markup_passes_through() -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "y"}]]}
    assert reply_markup(markup) == markup


@pytest.mark.parametrize("bad", ["menu", [[{"data": "x"}]], [[42]]])
def test_malformed_keyboards_are_a_permanent_error(bad: object) -> None:
    with pytest.raises(PermanentSendError):
        reply_markup(bad)


def test_file_url_follows_the_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("https://tapi.bale.ai/bot") == "https://tapi.bale.ai/file/bot"
    assert file_url("http://127.0.0.1:9000/bot") == "http://127.0.0.1:9000/file/bot"
