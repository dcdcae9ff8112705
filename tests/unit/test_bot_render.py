"""Bot prompts rendered per channel, and answers read back in any digit set."""

from __future__ import annotations

import re

import pytest

from handlers import callback_data
from handlers.prompts import Option, Prompt
from handlers.render import choose, is_menu_request, render_keyboard, render_sms

MENU = Prompt(
    "لطفاً یکی از گزینه‌ها را انتخاب کنید.",
    options=(Option("service", "درخواست خدمات"), Option("orders", "سفارش‌های من"), Option("agent", "گفتگو با کارشناس")),
)


def test_sms_menu_is_numbered_in_persian_digits_and_says_how_to_go_back() -> None:
    text = render_sms(MENU)
    assert "۱ـ درخواست خدمات\n۲ـ سفارش‌های من\n۳ـ گفتگو با کارشناس" in text
    assert text.endswith("۰ = منوی اصلی")
    assert not re.search(r"[0-9]", text)


@pytest.mark.parametrize("typed", ["2", "۲", "٢", " ۲ ", "2.", "سفارش های من", "سفارش‌های من"])
def test_sms_answer_in_any_digit_set_or_label_picks_the_option(typed: str) -> None:
    option = choose(MENU, typed)
    assert option is not None and option.key == "orders"


@pytest.mark.parametrize("typed", ["4", "۰۰", "-1", "", "سلام"])
def test_an_answer_outside_the_menu_picks_nothing(typed: str) -> None:
    assert choose(MENU, typed) is None


def test_telegram_buttons_carry_signed_data_that_only_verifies_in_its_scope() -> None:
    keyboard = render_keyboard(MENU, secret="s3cret-key", scope="c12:menu")
    assert keyboard is not None
    first = keyboard["inline"][0][0]
    assert first["text"] == "درخواست خدمات"
    assert len(first["data"].encode()) <= 64
    picked = choose(MENU, first["data"], secret="s3cret-key", scope="c12:menu")
    assert picked is not None and picked.key == "service"
    assert choose(MENU, first["data"], secret="s3cret-key", scope="c13:menu") is None
    forged = "orders." + first["data"].split(".")[1]
    assert choose(MENU, forged, secret="s3cret-key", scope="c12:menu") is None


def test_contact_share_prompt_renders_a_request_contact_button() -> None:
    keyboard = render_keyboard(Prompt("شمارهٔ خود را بفرستید.", ask_contact=True), secret="k" * 16, scope="x")
    assert keyboard == {"reply": [[{"text": "ارسال شمارهٔ تلفن من", "request_contact": True}]]}


@pytest.mark.parametrize("typed", ["/menu", "منو", "۰", "0", "/start"])
def test_menu_keywords_are_recognised(typed: str) -> None:
    assert is_menu_request(typed)


def test_callback_data_rejects_an_overlong_key() -> None:
    with pytest.raises(ValueError, match="too long"):
        callback_data.sign("k", "scope", "x" * 60)
