"""Alarm rules, what was delivered to whom, and staff Telegram/Bale chats linked for alarms (PLT-5, SRV-5)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel


class AlarmRule(Model):
    """An alarm or notice kind with its threshold, recipients, channels, escalation and urgency.

    `kind` names a built-in check (sla_breach, import_stuck, installment_due ...), `threshold` is
    its number in the unit that kind uses (business minutes, days, a score), `params` holds the rest
    (stages, survey). `recipients` is {"users": [ids], "teams": [ids], "roles": [...], "dynamic": [...]},
    where dynamic names people found from the object (assignee, team, team_lead, collector, customer).
    """

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=40, db_index=True)
    name = fields.CharField(max_length=120, default="")
    active = fields.BooleanField(default=True)
    urgent = fields.BooleanField(default=False)
    threshold = fields.IntField(null=True)
    params: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    recipients: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    channels: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # Unacknowledged after this many minutes: the team lead, then the managers are told (None: never).
    escalate_after_minutes = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "alarm_rule"


class AlarmDelivery(Model):
    """One alarm or notice to one person on one channel: deferred for quiet hours, then queued in the outbox.

    `dedupe` (alarm, level, person, channel) is unique, so a delivery is written once even when two
    sweeps overlap. The send status is the outbox row's.
    """

    id = fields.BigIntField(primary_key=True)
    alarm: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Alarm", related_name="deliveries", on_delete=fields.CASCADE
    )
    alarm_id: int
    rule: fields.ForeignKeyNullableRelation[AlarmRule] = fields.ForeignKeyField(
        "models.AlarmRule", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    rule_id: int | None
    level = fields.SmallIntField(default=0)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="alarm_deliveries", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    contact: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contact", related_name="alarm_deliveries", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    channel = fields.CharEnumField(Channel, max_length=10)
    address = fields.CharField(max_length=255)
    status = fields.CharField(max_length=10, default="queued")
    send_after = fields.DatetimeField(null=True, db_index=True)
    outbound: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.OutboundMessage", related_name="alarm_deliveries", null=True, on_delete=fields.SET_NULL
    )
    outbound_id: int | None
    dedupe = fields.CharField(max_length=120, unique=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    queued_at = fields.DatetimeField(null=True)

    class Meta:
        table = "alarm_delivery"
        indexes = (("status", "send_after"),)


class StaffLink(Model):
    """The Telegram or Bale chat of a staff member, where their alarms go."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="chat_links", on_delete=fields.CASCADE
    )
    user_id: int
    channel = fields.CharEnumField(Channel, max_length=10)
    chat_id = fields.CharField(max_length=64)
    display = fields.CharField(max_length=120, default="")
    linked_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_link"
        unique_together = (("user", "channel"), ("channel", "chat_id"))


class StaffLinkCode(Model):
    """A one-time code shown in the admin, which the staff member sends to the bot (/link CODE), kept as its hash."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="chat_link_codes", on_delete=fields.CASCADE
    )
    user_id: int
    code_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_link_code"
