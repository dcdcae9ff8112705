"""Import purchase orders (سفارش خرید خارجی), their stage history and the customer orders they supply (PRC-2/3/7)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ImportStage(StrEnum):
    """The import stages of PRC-3, in the order a shipment normally passes them."""

    PROFORMA_RECEIVED = "proforma_received"
    PROFORMA_APPROVED = "proforma_approved"
    PAYMENT_ORDER = "payment_order"
    SWIFT_SENT = "swift_sent"
    FORWARDER_ENGAGED = "forwarder_engaged"
    FORWARDER_INTRODUCED = "forwarder_introduced"
    SHIPPED = "shipped"
    ARRIVAL_NOTICE = "arrival_notice"
    CUSTOMS_CLEARANCE = "customs_clearance"
    LEFT_CUSTOMS = "left_customs"
    EXIT_GATE = "exit_gate"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"

    @property
    def step(self) -> int:
        """1-based position in the import route."""
        return list(ImportStage).index(self) + 1


class PurchaseOrder(Model):
    """A purchase order of the commercial unit, numbered like P-1405-00003, with its current import stage."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True)
    supplier = fields.CharField(max_length=200)
    expected_arrival = fields.DateField(null=True)
    stage = fields.CharEnumField(ImportStage, max_length=25, default=ImportStage.PROFORMA_RECEIVED, db_index=True)
    stage_entered_at = fields.DatetimeField()
    external_ref = fields.CharField(max_length=100, null=True, unique=True)
    notes = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="created_purchase_orders", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "purchase_order"


class PurchaseOrderStage(Model):
    """One stage a purchase order entered: when, by whom, from which stage, with a note."""

    id = fields.IntField(primary_key=True)
    purchase_order: fields.ForeignKeyRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder", related_name="stages", on_delete=fields.CASCADE
    )
    purchase_order_id: int
    stage = fields.CharEnumField(ImportStage, max_length=25)
    from_stage = fields.CharEnumField(ImportStage, max_length=25, null=True)
    entered_at = fields.DatetimeField()
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="purchase_order_stages", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    note = fields.TextField(default="")

    class Meta:
        table = "purchase_order_stage"
        ordering = ["entered_at", "id"]


class PurchaseOrderLink(Model):
    """A customer order supplied by a purchase order (many to many, PRC-7)."""

    id = fields.IntField(primary_key=True)
    purchase_order: fields.ForeignKeyRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder", related_name="order_links", on_delete=fields.CASCADE
    )
    purchase_order_id: int
    order: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Order", related_name="purchase_order_links", on_delete=fields.CASCADE
    )
    order_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "purchase_order_link"
        unique_together = (("purchase_order", "order"),)
