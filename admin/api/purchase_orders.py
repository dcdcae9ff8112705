"""Purchase orders over the API: create, read with stage history, move stages, change the expected arrival,
link customer orders (PRC-2/3/7)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from admin.api import domain_out as out
from admin.api.domain_schemas import DATE_IN, ID_IN, STAGE
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schema import parse_datetime
from admin.api.schemas import enum, ref
from admin.api.spec import ApiCall, Param, api, path_id
from core.actions.procurement import MAX_NOTE, create_purchase_order, link_orders, move_stage, set_expected_arrival
from core.areas import Area
from core.errors import NotFound
from core.models import ImportStage, PurchaseOrder, PurchaseOrderLink

NOTE = {"type": "string", "maxLength": MAX_NOTE}
TIME_IN = {"type": "string", "format": "date-time", "description": "when the stage was entered (default: now)"}
ORDER_IDS = {"type": "array", "items": ID_IN, "maxItems": 500}
PO_IN = {
    "type": "object",
    "required": ["supplier"],
    "properties": {
        "supplier": {"type": "string", "minLength": 1, "maxLength": 200},
        "expected_arrival": DATE_IN,
        "order_ids": {**ORDER_IDS, "description": "customer orders this purchase order supplies"},
        "stage": {**STAGE, "default": ImportStage.PROFORMA_RECEIVED.value},
        "at": TIME_IN,
        "note": NOTE,
        "external_ref": {"type": "string", "maxLength": 100},
    },
    "additionalProperties": False,
}
STAGE_IN = {
    "type": "object",
    "required": ["stage"],
    "properties": {"stage": STAGE, "note": NOTE, "at": TIME_IN},
    "additionalProperties": False,
}
ARRIVAL_IN = {
    "type": "object",
    "required": ["expected_arrival"],
    "properties": {"expected_arrival": {**DATE_IN, "type": ["string", "null"]}},
    "additionalProperties": False,
}
LINK_IN = {
    "type": "object",
    "required": ["order_ids"],
    "properties": {"order_ids": ORDER_IDS},
    "additionalProperties": False,
}
PO_PATH = (path_id(what="purchase order"),)


async def _po(call: ApiCall) -> PurchaseOrder:
    row = await PurchaseOrder.get_or_none(id=call.path["id"])
    if row is None:
        raise NotFound(f"purchase order {call.path['id']} not found")
    return row


def _at(body: dict[str, Any]) -> Any:
    return parse_datetime(body["at"]) if "at" in body else None


@api.get(
    "/purchase-orders",
    summary="List purchase orders",
    tag="procurement",
    area=Area.PROCUREMENT,
    params=(
        Param("stage", enum(ImportStage), "only purchase orders in this stage"),
        Param("order", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "only those supplying this order"),
        *PAGING,
    ),
    response=page_schema(ref("PurchaseOrder")),
)
async def list_purchase_orders(call: ApiCall) -> dict[str, Any]:
    """Purchase orders, newest first, with linked orders and stage history."""
    limit, offset = paging(call)
    query = PurchaseOrder.all()
    if "stage" in call.query:
        query = query.filter(stage=call.query["stage"])
    if "order" in call.query:
        supplying = PurchaseOrderLink.filter(order_id=call.query["order"]).values("purchase_order_id")
        query = query.filter(Q(id__in=Subquery(supplying)))
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return page([await out.purchase_order(r) for r in rows], total, limit, offset)


@api.get(
    "/purchase-orders/{id}",
    summary="A purchase order with its stage history",
    tag="procurement",
    area=Area.PROCUREMENT,
    params=PO_PATH,
    response=ref("PurchaseOrder"),
)
async def get_purchase_order(call: ApiCall) -> dict[str, Any]:
    """One purchase order: current stage (and its Persian name), every stage entered, linked orders."""
    return await out.purchase_order(await _po(call))


@api.post(
    "/purchase-orders",
    summary="Create a purchase order",
    tag="procurement",
    area=Area.PROCUREMENT,
    body=PO_IN,
    response=ref("PurchaseOrder"),
    status=201,
)
async def post_purchase_order(call: ApiCall) -> dict[str, Any]:
    """Create a purchase order numbered P-<Jalali year>-<count> in its first stage, linked to customer orders."""
    body = call.body
    po = await create_purchase_order(
        supplier=body["supplier"],
        by=call.user,
        expected_arrival=out.optional_day(body, "expected_arrival"),
        order_ids=body.get("order_ids", []),
        stage=body.get("stage", ImportStage.PROFORMA_RECEIVED),
        at=_at(body),
        note=body.get("note", ""),
        external_ref=body.get("external_ref"),
    )
    return await out.purchase_order(po)


@api.post(
    "/purchase-orders/{id}/stage",
    summary="Move a purchase order to a stage",
    tag="procurement",
    area=Area.PROCUREMENT,
    params=PO_PATH,
    body=STAGE_IN,
    response=ref("PurchaseOrder"),
)
async def post_stage(call: ApiCall) -> dict[str, Any]:
    """Enter a stage, forward or back; the move is recorded with you, the time and the note."""
    po = await _po(call)
    moved = await move_stage(po.id, call.body["stage"], by=call.user, note=call.body.get("note", ""), at=_at(call.body))
    return await out.purchase_order(moved)


@api.post(
    "/purchase-orders/{id}/arrival",
    summary="Change a purchase order's expected arrival",
    tag="procurement",
    area=Area.PROCUREMENT,
    params=PO_PATH,
    body=ARRIVAL_IN,
    response=ref("PurchaseOrder"),
)
async def post_arrival(call: ApiCall) -> dict[str, Any]:
    """Set (or clear, with null) the date customers following this import are told; the change is audited."""
    po = await _po(call)
    moved = await set_expected_arrival(po.id, out.optional_day(call.body, "expected_arrival"), by=call.user)
    return await out.purchase_order(moved)


@api.post(
    "/purchase-orders/{id}/orders",
    summary="Link customer orders to a purchase order",
    tag="procurement",
    area=Area.PROCUREMENT,
    params=PO_PATH,
    body=LINK_IN,
    response=ref("PurchaseOrder"),
)
async def post_links(call: ApiCall) -> dict[str, Any]:
    """Link customer orders (already linked ones stay); their customers then follow this import."""
    po = await _po(call)
    await link_orders(po.id, call.body["order_ids"], by=call.user)
    return await out.purchase_order(po)
