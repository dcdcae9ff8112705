"""Products (کالا) with their warranty terms; parts and price lists (SAL-5) attach here later."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Product(Model):
    """A product or spare part the company sells, priced in Rials, with warranty months (SRV-3)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=50, unique=True)
    name = fields.CharField(max_length=200)
    # Normalized name, category and code together: one LIKE finds a product by any of them.
    name_search = fields.CharField(max_length=400, db_index=True, default="")
    category = fields.CharField(max_length=100, default="", db_index=True)
    unit = fields.CharField(max_length=30, default="دستگاه")
    warranty_months = fields.IntField(default=0)
    price = fields.BigIntField(default=0)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        ordering = ["name", "id"]
