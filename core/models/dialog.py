"""Where each customer stands in a bot conversation: one row per contact and channel (BOT-1)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel


class DialogState(Model):
    """The flow and step a contact is in on one channel, the answers collected so far and when it expires.

    Kept in the database so a restart, a second process or a long pause does not lose the place.
    `seq` counts the prompts sent, so buttons of an older prompt no longer verify. `muted_until` is
    the SMS flood guard, the bot stays silent for this sender until then.
    """

    id = fields.IntField(primary_key=True)
    # The contact's id, deliberately not a foreign key: merging contacts moves every foreign key and
    # would clash on (contact, channel); a merged contact's row is simply never read again.
    contact_id = fields.IntField()
    channel = fields.CharEnumField(Channel, max_length=10)
    conversation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Conversation", related_name="dialog_states", null=True, on_delete=fields.SET_NULL
    )
    conversation_id: int | None
    flow = fields.CharField(max_length=40, default="")
    step = fields.CharField(max_length=40, default="")
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    seq = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    muted_until = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "dialog_state"
        unique_together = (("contact_id", "channel"),)


class PendingStep(Model):
    """A stored inbound message the bot has not answered yet.

    Written in the same transaction as the message, so the provider can be told "received" before the
    dialog step runs. The step's own transaction deletes it, so a crash in between leaves it here and
    the next start takes the step then, once. `turn` is what the engine needs to take the step.
    A step that failed stays here: `attempts` counts the failures and `next_attempt_at` is when it is
    due again (None: due now); only after several failures is it given up and the chat handed to a person.
    """

    id = fields.BigIntField(primary_key=True)
    # Plain ids, deliberately not foreign keys: the row lives seconds and must never block a merge or delete.
    message_id = fields.BigIntField(unique=True)
    conversation_id = fields.BigIntField()
    turn: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pending_step"
        # A conversation's turns are taken oldest first (core.actions.dialog.oldest_pending).
        indexes = (("conversation_id", "message_id"),)
