"""The outbox: every message Peyk sends waits here until a channel accepts it."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel, OutboxStatus


class OutboundMessage(Model):
    """One send on one channel to one recipient, retried with backoff until done or failed."""

    id = fields.BigIntField(primary_key=True)
    message: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Message", related_name="sends", null=True, on_delete=fields.CASCADE
    )
    message_id: int | None
    channel = fields.CharEnumField(Channel, max_length=10)
    recipient = fields.CharField(max_length=255)
    kind = fields.CharField(max_length=20, default="reply")
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(OutboxStatus, max_length=10, default=OutboxStatus.QUEUED)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(auto_now_add=True)
    claimed_at = fields.DatetimeField(null=True)
    provider_id = fields.CharField(max_length=120, null=True)
    parts = fields.IntField(default=1)
    error = fields.TextField(null=True)
    dedupe_key = fields.CharField(max_length=200, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbound_message"
        # Claims take due rows in (next_attempt_at, id) order: with `id` in the index PostgreSQL stops
        # after the batch instead of sorting every queued row (100k in a campaign). Delivery reports
        # find their send by provider id. A claim checks that no earlier row of the same recipient is
        # unfinished (core.actions.outbox_claim) through (channel, recipient, id): columns that never
        # change, so sending and recording a row costs that index nothing.
        indexes = (
            ("status", "next_attempt_at", "id"),
            ("channel", "provider_id"),
            ("channel", "recipient", "id"),
        )
