"""Cases (service requests, complaints, installations) and leads."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import CaseStatus, CaseType, Channel, LeadStatus, Priority


class Case(Model):
    """A customer case with a human number such as 1405-00042 (Jalali year, sequence)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True)
    type = fields.CharEnumField(CaseType, max_length=15, default=CaseType.SERVICE)
    priority = fields.CharEnumField(Priority, max_length=10, default=Priority.NORMAL)
    status = fields.CharEnumField(CaseStatus, max_length=10, default=CaseStatus.NEW)
    subject = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="cases", on_delete=fields.RESTRICT
    )
    contact_id: int
    conversation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Conversation", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    conversation_id: int | None
    assignee: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    team: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Team", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="created_cases", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    source_channel = fields.CharEnumField(Channel, max_length=10, null=True)
    device: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Device", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    device_id: int | None
    order: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Order", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    order_id: int | None
    first_response_due = fields.DatetimeField(null=True)
    resolution_due = fields.DatetimeField(null=True)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_case"
        indexes = (("status", "created_at"),)


class CaseEvent(Model):
    """One line of a case's history: a status change, a reopening, a note."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="events", on_delete=fields.CASCADE
    )
    case_id: int
    kind = fields.CharField(max_length=30)
    from_status = fields.CharField(max_length=10, null=True)
    to_status = fields.CharField(max_length=10, null=True)
    note = fields.TextField(default="")
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="case_events", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_event"


class Lead(Model):
    """A possible sale (سرنخ) from a message, a call or a price inquiry."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=300, default="")
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="leads", on_delete=fields.RESTRICT
    )
    contact_id: int
    conversation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Conversation", related_name="leads", null=True, on_delete=fields.SET_NULL
    )
    conversation_id: int | None
    source_channel = fields.CharEnumField(Channel, max_length=10, null=True)
    status = fields.CharEnumField(LeadStatus, max_length=10, default=LeadStatus.NEW)
    lost_reason = fields.CharField(max_length=300, null=True)
    segment = fields.CharField(max_length=60, null=True)
    owner: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="leads", null=True, on_delete=fields.SET_NULL
    )
    owner_id: int | None
    team: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Team", related_name="leads", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lead"
