"""Surveys sent after a case is resolved (SUR-3): one invitation per case, sent once after a delay."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel


class SurveyInvite(Model):
    """The survey invitation of one resolved case: when it is due, where it went, and the response it led to.

    `token` signs the web link of email invitations. `status` is scheduled, sent or skipped (with `reason`).
    """

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Case", related_name="survey_invites", unique=True, on_delete=fields.CASCADE
    )
    case_id: int
    survey: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Survey", related_name="invites", on_delete=fields.CASCADE
    )
    survey_id: int
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="survey_invites", on_delete=fields.CASCADE
    )
    contact_id: int
    channel = fields.CharEnumField(Channel, max_length=10, null=True)
    address = fields.CharField(max_length=255, default="")
    status = fields.CharField(max_length=10, default="scheduled", db_index=True)
    reason = fields.CharField(max_length=200, default="")
    token = fields.CharField(max_length=64, unique=True)
    due_at = fields.DatetimeField(db_index=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_invite"
