"""Conversations, their messages and attachments: the unified inbox."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel, ConversationStatus, Direction, FileState, MessageStatus, Priority


class Conversation(Model):
    """A thread with one contact on one channel (a Telegram chat, an SMS number, an email thread)."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharEnumField(Channel, max_length=10)
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="conversations", on_delete=fields.RESTRICT
    )
    contact_id: int
    status = fields.CharEnumField(ConversationStatus, max_length=10, default=ConversationStatus.OPEN)
    assignee: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    team: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Team", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    priority = fields.CharEnumField(Priority, max_length=10, default=Priority.NORMAL)
    labels: fields.JSONField[list[str]] = fields.JSONField(default=list)
    subject = fields.CharField(max_length=300, default="")
    # Telegram chat id, phone number or email address the thread runs on.
    thread_key = fields.CharField(max_length=255, default="")
    # Message-ID of the first email, so replies that lose In-Reply-To still thread.
    email_root_id = fields.CharField(max_length=255, null=True)
    last_activity_at = fields.DatetimeField(auto_now_add=True)
    last_inbound_at = fields.DatetimeField(null=True)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation"
        # The inbox lists newest activity first, unfiltered or by status, channel, assignee or team
        # (bench/scale.py measures each at 200k conversations). Migration 0007 adds a partial index
        # of the unrouted pool (no team, no assignee) for a team-scoped agent's inbox count.
        indexes = (
            ("status", "last_activity_at"),
            ("channel", "thread_key"),
            ("contact_id", "channel"),
            ("last_activity_at", "id"),
            ("status", "channel", "last_activity_at"),
            ("assignee_id", "status", "last_activity_at", "team_id"),
            ("team_id", "status", "last_activity_at"),
        )


class Message(Model):
    """One message in a conversation, inbound or outbound, or an internal note."""

    id = fields.BigIntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    conversation_id: int
    direction = fields.CharEnumField(Direction, max_length=3)
    channel = fields.CharEnumField(Channel, max_length=10)
    external_id = fields.CharField(max_length=255, null=True)
    text = fields.TextField(default="")
    text_search = fields.TextField(default="")
    html = fields.TextField(null=True)
    subject = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(MessageStatus, max_length=10)
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    internal = fields.BooleanField(default=False)
    email_message_id = fields.CharField(max_length=255, null=True, db_index=True)
    in_reply_to = fields.CharField(max_length=255, null=True)
    meta: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    previous_texts: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"
        unique_together = (("channel", "external_id"),)
        indexes = (("conversation_id", "created_at"),)


class Attachment(Model):
    """A file kept with a message, stored once under PEYK_DATA_DIR by its SHA-256."""

    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="attachments", on_delete=fields.CASCADE
    )
    message_id: int
    sha256 = fields.CharField(max_length=64, db_index=True)
    name = fields.CharField(max_length=255, default="")
    mime_type = fields.CharField(max_length=120, default="application/octet-stream")
    size = fields.BigIntField(default=0)
    content_id = fields.CharField(max_length=255, null=True)
    # Bot API files are stored by reference first and fetched after the ack (sha256 empty until then).
    state = fields.CharEnumField(FileState, max_length=10, default=FileState.STORED)
    provider_file_id = fields.CharField(max_length=255, null=True)
    fetch_attempts = fields.IntField(default=0)
    fetch_after = fields.DatetimeField(null=True, db_index=True)
    fetch_error = fields.CharField(max_length=300, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"
