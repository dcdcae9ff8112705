"""Small bookkeeping tables: inbound receipts (dedupe), settings, alarms sent once."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class InboundReceipt(Model):
    """A provider delivery already taken (Telegram update_id, CTI event), kept to drop repeats."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    key = fields.CharField(max_length=200)
    # SHA-256 of the delivery's payload: Telegram reuses update ids, so the same key with another payload is new.
    digest = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inbound_receipt"
        unique_together = (("channel", "key"),)


class Setting(Model):
    """A durable named JSON value: working hours, the IMAP mailbox UIDVALIDITY and last UID, ..."""

    key = fields.CharField(max_length=120, primary_key=True)
    value: fields.JSONField[Any] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "setting"


class Alarm(Model):
    """An alarm raised once per key (object, rule, threshold), with its text and recipients."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharField(max_length=40)
    text = fields.TextField(default="")
    urgent = fields.BooleanField(default=False)
    object_type = fields.CharField(max_length=40, default="")
    object_id = fields.CharField(max_length=40, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    acknowledged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "alarm"
