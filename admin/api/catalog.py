"""Products and devices over the API: create, read, list; device serials are matched in any spelling."""

from __future__ import annotations

from typing import Any

from admin.api import domain_out as out
from admin.api.domain_schemas import DATE_IN, ID_IN, MONEY_IN
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schemas import ref
from admin.api.spec import ApiCall, Param, api, path_id
from admin.api.visibility import check_contact, via_contact
from core.access import get_contact_for
from core.actions.catalog import MAX_WARRANTY_MONTHS, create_product, update_product
from core.actions.devices import register_device
from core.areas import Area
from core.errors import NotFound
from core.models import Device, Product
from core.serials import try_normalize_serial
from core.text import normalize_search

PRODUCT_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "category": {"type": "string", "maxLength": 100},
    "unit": {"type": "string", "minLength": 1, "maxLength": 30, "description": "default دستگاه"},
    "warranty_months": {"type": "integer", "minimum": 0, "maximum": MAX_WARRANTY_MONTHS},
    "price": MONEY_IN,
    "active": {"type": "boolean"},
}
PRODUCT_IN = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string", "minLength": 1, "maxLength": 50}, **PRODUCT_FIELDS},
    "additionalProperties": False,
}
PRODUCT_UPDATE = {"type": "object", "properties": PRODUCT_FIELDS, "additionalProperties": False}
DEVICE_IN = {
    "type": "object",
    "required": ["serial", "product_id", "owner_id"],
    "properties": {
        "serial": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": "any digit set; - and spaces ignored",
        },
        "product_id": ID_IN,
        "owner_id": {**ID_IN, "description": "the contact who owns the device"},
        "account_id": ID_IN,
        "order_line_id": ID_IN,
        "sold_at": DATE_IN,
        "installed_at": DATE_IN,
        "location": {"type": "string", "maxLength": 300},
        "notes": {"type": "string", "maxLength": 4000},
    },
    "additionalProperties": False,
}
ID_FILTER = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@api.get(
    "/products",
    summary="List products",
    tag="catalog",
    area=Area.CATALOG,
    params=(
        Param("q", {"type": "string", "maxLength": 200}, "words of the name, code or category (Persian-normalized)"),
        Param("category", {"type": "string", "maxLength": 100}, "exact category"),
        Param("active", {"type": "boolean"}, "only active (true) or inactive (false) products"),
        *PAGING,
    ),
    response=page_schema(ref("Product")),
)
async def list_products(call: ApiCall) -> dict[str, Any]:
    """Products by name."""
    limit, offset = paging(call)
    query = Product.all()
    for word in normalize_search(call.query.get("q", "")).split(" ")[:8]:
        if word:
            query = query.filter(name_search__contains=word)
    if "category" in call.query:
        query = query.filter(category=call.query["category"])
    if "active" in call.query:
        query = query.filter(active=call.query["active"])
    total = await query.count()
    rows = await query.order_by("name", "id").offset(offset).limit(limit)
    return page([out.product(p) for p in rows], total, limit, offset)


@api.get(
    "/products/{id}",
    summary="A product",
    tag="catalog",
    area=Area.CATALOG,
    params=(path_id(what="product"),),
    response=ref("Product"),
)
async def get_product(call: ApiCall) -> dict[str, Any]:
    """One product with its warranty months and price in Rials."""
    row = await Product.get_or_none(id=call.path["id"])
    if row is None:
        raise NotFound(f"product {call.path['id']} not found")
    return out.product(row)


@api.post(
    "/products",
    summary="Create a product",
    tag="catalog",
    area=Area.CATALOG,
    body=PRODUCT_IN,
    response=ref("Product"),
    status=201,
)
async def post_product(call: ApiCall) -> dict[str, Any]:
    """Create a product; its code (stored upper case, ASCII digits) must be new."""
    return out.product(await create_product(by=call.user, **call.body))


@api.post(
    "/products/{id}",
    summary="Update a product",
    tag="catalog",
    area=Area.CATALOG,
    params=(path_id(what="product"),),
    body=PRODUCT_UPDATE,
    response=ref("Product"),
)
async def update_product_route(call: ApiCall) -> dict[str, Any]:
    """Change the given fields; devices already sold keep the warranty they were sold with."""
    return out.product(await update_product(call.path["id"], by=call.user, **call.body))


@api.get(
    "/devices",
    summary="List devices",
    tag="devices",
    area=Area.DEVICES,
    params=(
        Param("owner", ID_FILTER, "only devices of this contact"),
        Param("serial", {"type": "string", "maxLength": 100}, "a serial typed any way"),
        *PAGING,
    ),
    response=page_schema(ref("Device")),
)
async def list_devices(call: ApiCall) -> dict[str, Any]:
    """Devices of contacts you may see, newest first."""
    limit, offset = paging(call)
    query = Device.filter(via_contact(call.user, "owner_id"))
    if "owner" in call.query:
        query = query.filter(owner_id=call.query["owner"])
    if "serial" in call.query:
        query = query.filter(serial=try_normalize_serial(call.query["serial"]) or "")
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return page([out.device(d) for d in rows], total, limit, offset)


@api.get(
    "/devices/{id}",
    summary="A device with its warranty",
    tag="devices",
    area=Area.DEVICES,
    params=(path_id(what="device"),),
    response=ref("Device"),
    errors=(403,),
)
async def get_device(call: ApiCall) -> dict[str, Any]:
    """One device; `warranty` is its state today."""
    row = await Device.get_or_none(id=call.path["id"])
    if row is None:
        raise NotFound(f"device {call.path['id']} not found")
    await check_contact(call.user, row.owner_id, "device")
    return out.device(row)


@api.post(
    "/devices",
    summary="Register a device",
    tag="devices",
    area=Area.DEVICES,
    body=DEVICE_IN,
    response=ref("Device"),
    status=201,
    errors=(403,),
)
async def post_device(call: ApiCall) -> dict[str, Any]:
    """Register a unit by serial; a serial already registered (in any spelling) is refused."""
    body = call.body
    owner = await get_contact_for(call.user, body["owner_id"])
    device = await register_device(
        body["serial"],
        product_id=body["product_id"],
        owner_id=owner.id,
        by=call.user,
        sold_at=out.optional_day(body, "sold_at"),
        installed_at=out.optional_day(body, "installed_at"),
        account_id=body.get("account_id"),
        order_line_id=body.get("order_line_id"),
        location=body.get("location", ""),
        notes=body.get("notes", ""),
    )
    return out.device(device)
