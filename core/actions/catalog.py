"""Product actions: create and update products (SAL-5), with the warranty months devices inherit (SRV-3)."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Product, User
from core.money import MAX_RIALS
from core.serials import normalize_code
from core.text import normalize_search
from core.tx import atomic

MAX_WARRANTY_MONTHS = 240
UPDATABLE = {"name", "category", "unit", "warranty_months", "price", "active"}


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text")
    text = " ".join(value.split())
    if required and not text:
        raise ValidationError(f"{field} is required")
    if len(text) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters")
    return text


def _int(value: Any, field: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be a whole number")
    if not 0 <= value <= high:
        raise ValidationError(f"{field} must be between 0 and {high}")
    return value


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            out[name] = _text(value, "name", 200, required=True)
        elif name == "category":
            out[name] = _text(value, "category", 100)
        elif name == "unit":
            out[name] = _text(value, "unit", 30, required=True)
        elif name == "warranty_months":
            out[name] = _int(value, "warranty_months", MAX_WARRANTY_MONTHS)
        elif name == "price":
            out[name] = _int(value, "price", MAX_RIALS)
        elif name == "active":
            if not isinstance(value, bool):
                raise ValidationError("active must be true or false")
            out[name] = value
        else:
            raise ValidationError(f"unknown product field {name!r} (allowed: {', '.join(sorted(UPDATABLE))})")
    return out


def search_key(name: str, category: str, code: str) -> str:
    """The normalized text a product is found by: its name, category and code."""
    return normalize_search(f"{name} {category} {code}")[:400]


async def create_product(
    *,
    code: str,
    name: str,
    by: User | None,
    category: str = "",
    unit: str = "دستگاه",
    warranty_months: int = 0,
    price: int = 0,
    active: bool = True,
) -> Product:
    """Create a product; the code (ASCII digits, upper case) must be new."""
    require_write(by, Area.CATALOG)
    key = normalize_code(code)
    values = _clean(
        {
            "name": name,
            "category": category,
            "unit": unit,
            "warranty_months": warranty_months,
            "price": price,
            "active": active,
        }
    )
    async with atomic() as out:
        if await Product.exists(code=key):
            raise ValidationError(f"product code {key} is already in use")
        try:
            product = await Product.create(
                code=key, name_search=search_key(values["name"], values["category"], key), **values
            )
        except IntegrityError:
            raise ValidationError(f"product code {key} is already in use") from None
        await record(by, "product.create", product, code=key, **values)
        out.emit("product.created", product_id=product.id, code=key)
    return product


async def update_product(product_id: int, *, by: User | None, **changes: Any) -> Product:
    """Change name, category, unit, warranty_months, price or active (devices keep the warranty they were sold with)."""
    require_write(by, Area.CATALOG)
    values = _clean(changes)
    async with atomic() as out:
        product = await Product.filter(id=product_id).select_for_update().first()
        if product is None:
            raise NotFound(f"product {product_id} not found")
        changed = {k: [getattr(product, k), v] for k, v in values.items() if getattr(product, k) != v}
        if not changed:
            return product
        for name, value in values.items():
            setattr(product, name, value)
        product.name_search = search_key(product.name, product.category, product.code)
        await product.save()
        await record(by, "product.update", product, **changed)
        out.emit("product.updated", product_id=product.id, fields=sorted(changed))
    return product
