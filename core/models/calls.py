"""Phone calls (logged by agents or by the PBX) and follow-up tasks."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import CallDirection, CallStatus


class Call(Model):
    """A phone call, external_id is the PBX callId when the PBX reported it."""

    id = fields.IntField(primary_key=True)
    external_id = fields.CharField(max_length=120, null=True, unique=True)
    direction = fields.CharEnumField(CallDirection, max_length=3)
    number = fields.CharField(max_length=32, default="", db_index=True)
    contact: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contact", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    status = fields.CharEnumField(CallStatus, max_length=10, default=CallStatus.COMPLETED)
    outcome = fields.CharField(max_length=60, default="")
    cause = fields.CharField(max_length=30, null=True)
    notes = fields.TextField(default="")
    started_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    duration_seconds = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "call"


class Task(Model):
    """A to-do for a user or team: a call-back, a follow-up, a visit."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=300)
    kind = fields.CharField(max_length=20, default="task")
    contact: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contact", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    call: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Call", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    call_id: int | None
    case: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Case", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    case_id: int | None
    owner: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    owner_id: int | None
    team: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Team", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    due_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "task"
