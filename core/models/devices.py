"""Devices: every unit sold, by its serial (شماره سریال), with its owner and warranty (SRV-2, SRV-3)."""

from __future__ import annotations

from datetime import date

from tortoise import fields
from tortoise.models import Model

from core.warranty import WarrantyStatus, warranty_status


class Device(Model):
    """One unit of a product, found by its normalized serial, warranty_ends_at follows from the product terms."""

    id = fields.IntField(primary_key=True)
    serial = fields.CharField(max_length=60, unique=True)
    serial_display = fields.CharField(max_length=100)
    product: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Product", related_name="devices", on_delete=fields.RESTRICT
    )
    product_id: int
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="devices", on_delete=fields.RESTRICT
    )
    owner_id: int
    account: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Account", related_name="devices", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    order_line: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.OrderLine", related_name="devices", null=True, on_delete=fields.SET_NULL
    )
    order_line_id: int | None
    sold_at = fields.DateField(null=True)
    installed_at = fields.DateField(null=True)
    # Stored so lists and reports can filter on it; always recomputed by the device actions.
    warranty_ends_at = fields.DateField(null=True, db_index=True)
    location = fields.CharField(max_length=300, default="")
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "device"
        ordering = ["-id"]

    def warranty_status(self, today: date) -> WarrantyStatus:
        """Active until warranty_ends_at (inclusive), ended after it, none without warranty terms."""
        return warranty_status(self.warranty_ends_at, today)
