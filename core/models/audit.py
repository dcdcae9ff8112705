"""The audit log: every staff change to a record."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditLog(Model):
    """Who changed what, when, and how (a JSON of the changed fields)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="audit_rows", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    action = fields.CharField(max_length=60)
    object_type = fields.CharField(max_length=40)
    object_id = fields.CharField(max_length=40)
    changes: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_log"
        indexes = (("object_type", "object_id"),)
