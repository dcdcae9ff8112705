"""My orders (BOT-4): the customer's recent orders; one order's status, lines, delivery and what is left to pay.

Only the customer's own orders are ever read: a number typed from someone else's invoice gets the
same "not found" as a number that does not exist.
"""

from __future__ import annotations

from core.models import Order, OrderStatus
from core.queries.customer import HIDDEN_ORDER_STATES, OrderDetail, order_detail, order_for_customer, orders_of
from core.status_names import order_status_name
from handlers import copy
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Reask, Result, Step
from handlers.prompts import Option, Prompt
from handlers.show import clip, day, fa, money, numeric_day

NAME = "orders"
MAX_ORDERS = 8
MAX_ORDERS_SMS = 5
MAX_LINES_SMS = 4
MAX_INSTALLMENTS_SMS = 4


async def _start(ctx: Ctx) -> Result:
    return Goto("pick") if await orders_of(ctx.contact_id, limit=1) else Done(copy.NO_ORDERS)


def order_label(order: Order) -> str:
    """«S-۱۴۰۵-۰۰۰۱۷، ۱۴۰۵/۰۲/۱۱، تأییدشده»."""
    return copy.ORDER_LABEL.format(
        number=fa(order.number), date=numeric_day(order.order_date), status=order_status_name(order.status)
    )


async def _ask(ctx: Ctx) -> Prompt:
    orders = await orders_of(ctx.contact_id, limit=MAX_ORDERS_SMS if ctx.sms else MAX_ORDERS)
    options = tuple(Option(f"o{o.id}", order_label(o)) for o in orders)
    return Prompt(copy.PICK_ORDER, options=options, free_text=True)


async def _take(ctx: Ctx, answer: Answer) -> Result:
    order: Order | None = None
    if answer.option is not None and answer.option.key[1:].isdigit():
        order = await (
            Order.filter(id=int(answer.option.key[1:]), contact_id=ctx.contact_id)
            .exclude(status__in=HIDDEN_ORDER_STATES)
            .first()
        )
    elif answer.text:
        order = await order_for_customer(ctx.contact_id, answer.text)
    if order is None:
        return Reask(copy.ORDER_NOT_FOUND)
    return Done(describe(await order_detail(order), ctx))


def describe(detail: OrderDetail, ctx: Ctx) -> str:
    """One order as the customer reads it: head, lines, delivery, outstanding installments."""
    order = detail.order
    head = copy.ORDER_HEAD.format(
        number=fa(order.number), date=numeric_day(order.order_date), status=order_status_name(order.status)
    )
    lines = detail.lines[:MAX_LINES_SMS] if ctx.sms else detail.lines
    items = [copy.ORDER_LINES]
    for line in lines:
        unit = line.product.unit or copy.DEFAULT_UNIT
        name = fa(clip(line.product.name, 40))
        items.append(
            copy.ORDER_LINE.format(product=name, qty=fa(line.qty), unit=unit, delivered=fa(line.delivered_qty))
        )
    parts = [head, "\n".join(items)]
    if order.status != OrderStatus.CANCELLED:
        parts.append(_delivery(order, ctx))
    parts.append(_installments(detail, ctx))
    return "\n\n".join(parts)


def _delivery(order: Order, ctx: Ctx) -> str:
    if order.delivered_at is not None:
        return copy.DELIVERED_ON.format(date=day(order.delivered_at, ctx.config.timezone))
    if order.expected_delivery is not None:
        return copy.DELIVERY_EXPECTED.format(date=day(order.expected_delivery))
    return copy.DELIVERY_UNKNOWN


def _installments(detail: OrderDetail, ctx: Ctx) -> str:
    if not detail.outstanding:
        return copy.NO_INSTALLMENTS
    rows = [copy.INSTALLMENTS_HEAD]
    shown = detail.outstanding[:MAX_INSTALLMENTS_SMS] if ctx.sms else detail.outstanding
    for inst in shown:
        overdue = inst.status(ctx.today).value == "overdue"
        template = copy.INSTALLMENT_OVERDUE if overdue else copy.INSTALLMENT_LINE
        rows.append(
            template.format(amount=money(inst.outstanding, ctx.config.currency), due=numeric_day(inst.due_date))
        )
    return "\n".join(rows)


FLOW = Flow(NAME, {"pick": Step(_ask, _take)}, first="pick", start=_start, needs_identity=True)
