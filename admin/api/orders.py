"""Orders over the API: create with lines and installments, read, confirm, cancel, deliveries and payments."""

from __future__ import annotations

from typing import Any

from admin.api import domain_out as out
from admin.api.domain_schemas import DATE_IN, ID_IN, MONEY_IN
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schema import parse_datetime
from admin.api.schemas import enum, ref
from admin.api.spec import ApiCall, Param, api, path_id
from admin.api.visibility import check_contact, via_contact
from core.access import get_contact_for
from core.actions.orders import (
    MAX_LINES,
    MAX_QTY,
    InstallmentInput,
    LineInput,
    cancel_order,
    confirm_order,
    create_order,
    record_delivery,
    record_installment_payment,
)
from core.areas import Area
from core.errors import NotFound
from core.models import Installment, Order, OrderStatus, PaymentMethod

QTY = {"type": "integer", "minimum": 1, "maximum": MAX_QTY}
LINE_IN = {
    "type": "object",
    "required": ["product_id", "qty"],
    "properties": {
        "product_id": ID_IN,
        "qty": QTY,
        "unit_price": {**MONEY_IN, "description": "Rials; the product's price when left out"},
        "description": {"type": "string", "maxLength": 300},
    },
    "additionalProperties": False,
}
INSTALLMENT_IN = {
    "type": "object",
    "required": ["amount", "due_date"],
    "properties": {
        "amount": {**MONEY_IN, "minimum": 1},
        "due_date": DATE_IN,
        "method": enum(PaymentMethod),
        "note": {"type": "string", "maxLength": 300},
    },
    "additionalProperties": False,
}
ORDER_IN = {
    "type": "object",
    "required": ["contact_id", "lines"],
    "properties": {
        "contact_id": ID_IN,
        "lines": {"type": "array", "items": LINE_IN, "minItems": 1, "maxItems": MAX_LINES},
        "installments": {
            "type": "array",
            "items": INSTALLMENT_IN,
            "maxItems": 120,
            "description": "must add up to the order total; when none are given, confirming creates one",
        },
        "order_date": DATE_IN,
        "expected_delivery": DATE_IN,
        "account_id": ID_IN,
        "notes": {"type": "string", "maxLength": 4000},
        "external_ref": {"type": "string", "maxLength": 100, "description": "your id for it; a repeat is refused"},
        "confirm": {"type": "boolean", "default": False},
    },
    "additionalProperties": False,
}
TIME_IN = {"type": "string", "format": "date-time"}
DELIVERY_IN = {
    "type": "object",
    "required": ["lines"],
    "properties": {
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_LINES,
            "items": {
                "type": "object",
                "required": ["line_id", "qty"],
                "properties": {"line_id": ID_IN, "qty": QTY},
                "additionalProperties": False,
            },
        },
        "at": TIME_IN,
    },
    "additionalProperties": False,
}
CANCEL_IN = {
    "type": "object",
    "properties": {"reason": {"type": "string", "maxLength": 1000}},
    "additionalProperties": False,
}
EMPTY_IN = {"type": "object", "properties": {}, "additionalProperties": False}
PAYMENT_IN = {
    "type": "object",
    "required": ["amount"],
    "properties": {"amount": {**MONEY_IN, "minimum": 1}, "paid_at": TIME_IN},
    "additionalProperties": False,
}
ORDER_PATH = (path_id(what="order"),)


async def _order(call: ApiCall) -> Order:
    row = await Order.get_or_none(id=call.path["id"])
    if row is None:
        raise NotFound(f"order {call.path['id']} not found")
    await check_contact(call.user, row.contact_id, "order")
    return row


async def _one(order: Order) -> dict[str, Any]:
    return (await out.orders([order]))[0]


@api.get(
    "/orders",
    summary="List orders",
    tag="orders",
    area=Area.ORDERS,
    params=(
        Param("contact", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "only orders of this contact"),
        Param("status", enum(OrderStatus), "only orders in this status"),
        Param("number", {"type": "string", "maxLength": 20}, "exact order number, e.g. S-1405-00017"),
        *PAGING,
    ),
    response=page_schema(ref("Order")),
)
async def list_orders(call: ApiCall) -> dict[str, Any]:
    """Orders of contacts you may see, newest first, with lines and installments."""
    limit, offset = paging(call)
    query = Order.filter(via_contact(call.user))
    for name, column in (("contact", "contact_id"), ("status", "status"), ("number", "number")):
        if name in call.query:
            query = query.filter(**{column: call.query[name]})
    total = await query.count()
    rows = await query.order_by("-order_date", "-id").offset(offset).limit(limit)
    return page(await out.orders(list(rows)), total, limit, offset)


@api.get(
    "/orders/{id}",
    summary="An order",
    tag="orders",
    area=Area.ORDERS,
    params=ORDER_PATH,
    response=ref("Order"),
    errors=(403,),
)
async def get_order(call: ApiCall) -> dict[str, Any]:
    """One order with its lines, installments (status as of today) and the purchase orders supplying it."""
    return await _one(await _order(call))


@api.post(
    "/orders",
    summary="Create an order",
    tag="orders",
    area=Area.ORDERS,
    body=ORDER_IN,
    response=ref("Order"),
    status=201,
    errors=(403,),
)
async def post_order(call: ApiCall) -> dict[str, Any]:
    """Create a draft order (or a confirmed one with `confirm: true`), numbered S-<Jalali year>-<count>."""
    body = call.body
    contact = await get_contact_for(call.user, body["contact_id"])
    lines = [LineInput(i["product_id"], i["qty"], i.get("unit_price"), i.get("description", "")) for i in body["lines"]]
    plan = [
        InstallmentInput(
            amount=i["amount"],
            due_date=out.parse_day(i["due_date"], f"installments[{n}].due_date"),
            method=i.get("method", PaymentMethod.TRANSFER),
            note=i.get("note", ""),
        )
        for n, i in enumerate(body.get("installments", []))
    ]
    order = await create_order(
        contact_id=contact.id,
        lines=lines,
        installments=plan,
        by=call.user,
        order_date=out.optional_day(body, "order_date"),
        expected_delivery=out.optional_day(body, "expected_delivery"),
        account_id=body.get("account_id"),
        notes=body.get("notes", ""),
        external_ref=body.get("external_ref"),
        confirm=body.get("confirm", False),
    )
    return await _one(order)


@api.post(
    "/orders/{id}/confirm",
    summary="Confirm an order",
    tag="orders",
    area=Area.ORDERS,
    params=ORDER_PATH,
    body=EMPTY_IN,
    body_required=False,
    response=ref("Order"),
    errors=(403,),
)
async def confirm_order_route(call: ApiCall) -> dict[str, Any]:
    """Confirm a draft; an order without installments gets one for its total."""
    order = await _order(call)
    return await _one(await confirm_order(order.id, by=call.user))


@api.post(
    "/orders/{id}/cancel",
    summary="Cancel an order",
    tag="orders",
    area=Area.ORDERS,
    params=ORDER_PATH,
    body=CANCEL_IN,
    body_required=False,
    response=ref("Order"),
    errors=(403,),
)
async def cancel_order_route(call: ApiCall) -> dict[str, Any]:
    """Cancel an order that is not fully delivered."""
    order = await _order(call)
    return await _one(await cancel_order(order.id, by=call.user, reason=call.body.get("reason", "")))


@api.post(
    "/orders/{id}/deliveries",
    summary="Record delivered units",
    tag="orders",
    area=Area.STOCK,
    params=ORDER_PATH,
    body=DELIVERY_IN,
    response=ref("Order"),
    errors=(403,),
)
async def post_delivery(call: ApiCall) -> dict[str, Any]:
    """Add delivered units per line; the order becomes in_progress, then delivered when every line is."""
    order = await _order(call)
    deliveries: dict[int, int] = {}
    for item in call.body["lines"]:
        deliveries[item["line_id"]] = deliveries.get(item["line_id"], 0) + item["qty"]
    at = parse_datetime(call.body["at"]) if "at" in call.body else None
    return await _one(await record_delivery(order.id, deliveries, by=call.user, at=at))


@api.post(
    "/installments/{id}/payments",
    summary="Record a payment on an installment",
    tag="orders",
    area=Area.COLLECTIONS,
    params=(path_id(what="installment"),),
    body=PAYMENT_IN,
    response=ref("Installment"),
    errors=(403,),
)
async def post_payment(call: ApiCall) -> dict[str, Any]:
    """Add a payment (at most what is outstanding); the installment is paid when nothing is left."""
    inst = await Installment.filter(id=call.path["id"]).select_related("order").first()
    if inst is None:
        raise NotFound(f"installment {call.path['id']} not found")
    await check_contact(call.user, inst.order.contact_id, "installment")
    at = parse_datetime(call.body["paid_at"]) if "paid_at" in call.body else None
    return out.installment(await record_installment_payment(inst.id, call.body["amount"], by=call.user, at=at))
