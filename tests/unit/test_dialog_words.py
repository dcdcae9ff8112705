"""What the engine reads from a message: global words, numbers in any digit set, plain words for searches."""

from __future__ import annotations

import pytest

from handlers.config import BotConfig
from handlers.engine import Engine
from handlers.flow import Handover, Switch
from handlers.flows.price_inquiry import parse_quantity, plain_words
from handlers.guards import clean_input, too_long
from handlers.prompts import Option, Prompt
from handlers.render import SMS_MAX_CHARS, fit_sms, is_menu_request, render_keyboard, render_sms
from handlers.state import Session

ENGINE = Engine(BotConfig(secret="k" * 32))


@pytest.mark.parametrize("typed", ["/start", "/start@peyk_support_bot", "/START"])
def test_start_greets_with_the_main_menu(typed: str) -> None:
    command = ENGINE._command(typed, Session())
    assert isinstance(command, Switch) and command.flow == "menu" and command.lead.startswith("سلام")


def test_a_survey_deep_link_starts_that_survey() -> None:
    assert ENGINE._command("/start survey-12", Session()) == Switch("survey", data={"survey_id": 12})
    assert ENGINE._command("/start survey-x", Session()) == Switch(
        "menu", lead=ENGINE._command("/start", Session()).lead
    )


@pytest.mark.parametrize("typed", ["/menu", "منو", "۰", "0", "٠", "منوی اصلی"])
def test_menu_words_return_to_the_main_menu(typed: str) -> None:
    assert ENGINE._command(typed, Session()) == Switch("menu")


@pytest.mark.parametrize("typed", ["اپراتور", "/operator", "گفتگو با کارشناس", "گفتگو با كارشناس"])
def test_talk_to_a_person_words_hand_over(typed: str) -> None:
    assert ENGINE._command(typed, Session()) == Handover()


def test_cancel_in_the_middle_of_a_flow_says_so() -> None:
    session = Session(flow="orders", step="pick")
    command = ENGINE._command("انصراف", session)
    assert isinstance(command, Switch) and command.lead == "درخواست نیمه‌کاره لغو شد."
    assert ENGINE._command("/cancel", Session()) == Switch("menu", lead="")


def test_zero_is_an_answer_where_the_question_takes_zero() -> None:
    nps = Session(flow="survey", step="question", zero_is_answer=True)
    assert ENGINE._command("۰", nps) is None
    assert ENGINE._command("منو", nps) == Switch("menu")
    assert not is_menu_request("0", zero=False)


@pytest.mark.parametrize(("typed", "qty"), [("۱۲", 12), ("12", 12), ("١٬٠٠٠", 1000), (" 3 ", 3), ("۱ ۰۰۰", 1000)])
def test_quantities_are_read_in_any_digit_set(typed: str, qty: int) -> None:
    assert parse_quantity(typed) == qty


@pytest.mark.parametrize("typed", ["0", "-3", "سه", "2.5", "99999999", "", "۱e۳"])
def test_anything_but_a_whole_number_from_one_is_not_a_quantity(typed: str) -> None:
    assert parse_quantity(typed) is None


def test_product_searches_get_plain_words_only() -> None:
    assert plain_words("کولر%_ گازی'; DROP TABLE lead; --") == "کولر گازی DROP TABLE lead"
    assert plain_words("x" * 500) == "x" * 100


def test_control_characters_never_reach_a_flow_and_long_input_is_caught() -> None:
    assert clean_input(" سلام\x00\x1b[31m\n") == "سلام[31m"
    assert too_long("ا" * 1001, ENGINE.config) and not too_long("ا" * 1000, ENGINE.config)


def test_a_rating_is_typed_on_sms_and_tapped_on_telegram() -> None:
    scale = tuple(Option(str(n), str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))) for n in range(1, 6))
    rating = Prompt("امتیاز شما؟\nلطفاً عددی از ۱ تا ۵ بفرستید.", options=scale, numbered=False, columns=5)
    assert render_sms(rating) == "امتیاز شما؟\nلطفاً عددی از ۱ تا ۵ بفرستید.\n۰ = منوی اصلی"
    keyboard = render_keyboard(rating, secret="k" * 32, scope="1:1")
    assert keyboard is not None and [b["text"] for b in keyboard["inline"][0]] == ["۱", "۲", "۳", "۴", "۵"]
    nps = Prompt("توصیه؟", numbered=False, zero_is_answer=True)
    assert render_sms(nps).endswith("«منو» = منوی اصلی")


def test_a_long_sms_is_cut_at_a_line_break_and_keeps_its_options() -> None:
    body = "\n".join(f"سطر شمارهٔ {n} از فهرستی بسیار بلند که در یک پیامک جا نمی‌شود" for n in range(40))
    text = render_sms(Prompt(body, options=(Option("a", "تأیید"), Option("b", "انصراف"))))
    assert len(text) <= SMS_MAX_CHARS
    assert text.endswith("…\n\n۱ـ تأیید\n۲ـ انصراف\n۰ = منوی اصلی")
    assert fit_sms("کوتاه", "۰ = منوی اصلی") == "کوتاه\n۰ = منوی اصلی"
