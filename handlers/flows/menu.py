"""The main menu: service request, my orders, my imports, my cases, price inquiry, talk to a person."""

from __future__ import annotations

from datetime import timedelta

from handlers import copy
from handlers.flow import Answer, Ctx, Flow, Handover, Reask, Result, Step, Switch
from handlers.prompts import Option, Prompt

HOME = "menu"
# Menu option key → the flow it starts; "agent" hands the conversation to a person instead.
ENTRIES: tuple[tuple[str, str], ...] = (
    ("service_request", copy.MENU_SERVICE),
    ("orders", copy.MENU_ORDERS),
    ("imports", copy.MENU_IMPORTS),
    ("cases", copy.MENU_CASES),
    ("price_inquiry", copy.MENU_PRICE),
    ("agent", copy.MENU_AGENT),
)


def menu_prompt(again: bool = False) -> Prompt:
    """The main menu (it is the way back, so it does not offer «۰ = منوی اصلی» itself)."""
    options = tuple(Option(key, label) for key, label in ENTRIES)
    return Prompt(copy.MENU_AGAIN if again else copy.MENU, options=options, offer_menu=False)


async def _ask(ctx: Ctx) -> Prompt:
    return menu_prompt(bool(ctx.data.get("again")))


async def _answer(ctx: Ctx, answer: Answer) -> Result:
    if answer.option is None:
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    if answer.option.key == "agent":
        return Handover()
    return Switch(answer.option.key)


FLOW = Flow(HOME, {"choose": Step(_ask, _answer)}, first="choose", ttl=timedelta(days=1))
