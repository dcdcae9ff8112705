"""Price inquiry (BOT-8): a product or category and a quantity become a lead for the right sales team.

What the customer types is reduced to plain words before it reaches the product search, and is
never shown back to them; it goes to the lead for the sales team to read.
"""

from __future__ import annotations

import re

from core.actions.dialog import open_inquiry_lead
from core.models import Product
from core.queries.customer import product_categories, products_for_inquiry
from core.text import to_ascii_digits
from handlers import copy
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Reask, Result, Step
from handlers.prompts import Option, Prompt
from handlers.show import clip, fa

NAME = "price_inquiry"
MAX_CATEGORIES = 6
MAX_PRODUCTS = 8
MAX_QUANTITY = 1_000_000
_NOT_WORD = re.compile(r"[^\w\s]|_")
_SEPARATORS = re.compile(r"[\s,،\u066c]")


def plain_words(text: str, limit: int = 100) -> str:
    """Letters, digits and single spaces only: what may reach a product search."""
    return " ".join(_NOT_WORD.sub(" ", text).split())[:limit]


async def _ask_item(ctx: Ctx) -> Prompt:
    categories = (await product_categories())[:MAX_CATEGORIES]
    ctx.data["categories"] = categories
    options = tuple(Option(f"c{i}", fa(name)) for i, name in enumerate(categories))
    return Prompt(copy.ASK_PRODUCT, options=options, free_text=True)


async def _take_item(ctx: Ctx, answer: Answer) -> Result:
    categories = [str(c) for c in ctx.data.get("categories", [])]
    key = answer.option.key if answer.option is not None else ""
    if key.startswith("c") and key[1:].isdigit() and int(key[1:]) < len(categories):
        category = categories[int(key[1:])]
        ctx.data.update(category=category, query="", item=category, unit=copy.DEFAULT_UNIT)
        found = await products_for_inquiry(category=category, limit=MAX_PRODUCTS)
        return Goto("product") if found else Goto("quantity")
    words = plain_words(answer.text)
    if len(words) < 2:
        return Reask(copy.PRODUCT_TOO_SHORT)
    found = await products_for_inquiry(words, limit=MAX_PRODUCTS)
    ctx.data.update(category="", query=words, item=words, product_id=None, unit=copy.DEFAULT_UNIT)
    if len(found) == 1:
        ctx.data.update(item=found[0].name, product_id=found[0].id, unit=found[0].unit)
        return Goto("quantity")
    return Goto("product") if found else Goto("quantity")


async def _ask_product(ctx: Ctx) -> Prompt:
    category = str(ctx.data.get("category") or "") or None
    found = await products_for_inquiry(str(ctx.data.get("query") or ""), category=category, limit=MAX_PRODUCTS)
    options = [Option(f"p{p.id}", fa(clip(p.name, 40))) for p in found]
    options.append(Option("other", copy.OTHER_PRODUCT))
    return Prompt(copy.PICK_PRODUCT, options=tuple(options))


async def _take_product(ctx: Ctx, answer: Answer) -> Result:
    key = answer.option.key if answer.option is not None else ""
    if key == "other":
        return Goto("item")
    product = await Product.get_or_none(id=int(key[1:]), active=True) if key[1:].isdigit() else None
    if product is None:
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    ctx.data.update(item=product.name, product_id=product.id, unit=product.unit)
    return Goto("quantity")


async def _ask_quantity(ctx: Ctx) -> Prompt:
    return Prompt(copy.ASK_QUANTITY, free_text=True)


def parse_quantity(text: str) -> int | None:
    """A whole number 1..1,000,000 typed with any digits and separators, else None."""
    digits = _SEPARATORS.sub("", to_ascii_digits(text))
    if not digits.isascii() or not digits.isdigit() or len(digits) > 7:
        return None
    value = int(digits)
    return value if 1 <= value <= MAX_QUANTITY else None


async def _take_quantity(ctx: Ctx, answer: Answer) -> Result:
    qty = parse_quantity(answer.text)
    if qty is None:
        return Reask(copy.BAD_QUANTITY)
    item = str(ctx.data.get("item") or "")
    unit = str(ctx.data.get("unit") or copy.DEFAULT_UNIT)
    await open_inquiry_lead(
        ctx.contact_id,
        ctx.conversation_id,
        ctx.channel,
        title=copy.LEAD_TITLE.format(item=clip(item, 150), qty=fa(qty), unit=unit),
        notes=copy.LEAD_NOTES.format(item=item, qty=fa(qty), channel=ctx.channel.value),
    )
    return Done(copy.LEAD_OPENED)


FLOW = Flow(
    NAME,
    {
        "item": Step(_ask_item, _take_item),
        "product": Step(_ask_product, _take_product),
        "quantity": Step(_ask_quantity, _take_quantity),
    },
    first="item",
)
