"""Accounts (companies), contacts (people) and their channel identities."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import IdentityKind


class Account(Model):
    """A customer company."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    name_search = fields.CharField(max_length=200, db_index=True, default="")
    segment = fields.CharField(max_length=60, null=True)
    phone = fields.CharField(max_length=20, null=True)
    address = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"


class Contact(Model):
    """A person the company talks to, found through its identities."""

    id = fields.IntField(primary_key=True)
    display_name = fields.CharField(max_length=200, default="")
    name_search = fields.CharField(max_length=200, db_index=True, default="")
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="contacts", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    owner: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="owned_contacts", null=True, on_delete=fields.SET_NULL
    )
    owner_id: int | None
    team: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Team", related_name="contacts", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    segment = fields.CharField(max_length=60, null=True)
    notes = fields.TextField(default="")
    sms_opt_out = fields.BooleanField(default=False)
    unreachable: fields.JSONField[list[str]] = fields.JSONField(default=list)
    merged_into: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="merged_from", null=True, on_delete=fields.SET_NULL
    )
    merged_into_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contact"


class ContactIdentity(Model):
    """One way to reach a contact: a Telegram/Bale user id, a phone, an email or a fax number."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="identities", on_delete=fields.CASCADE
    )
    contact_id: int
    kind = fields.CharEnumField(IdentityKind, max_length=10)
    value = fields.CharField(max_length=255)
    display = fields.CharField(max_length=255, default="")
    verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact_identity"
        unique_together = (("kind", "value"),)
        indexes = (("contact_id",),)  # a contact's identities (contact page, merge, timeline)
