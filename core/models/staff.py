"""Staff users, teams and API tokens."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import AccessScope, Role


class Team(Model):
    """A group of staff sharing records (sales team, service team, call center)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    segment = fields.CharField(max_length=60, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team"


class User(Model):
    """A staff member who signs in to the admin or calls the API."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=200, default="")
    role = fields.CharEnumField(Role, max_length=20, default=Role.AGENT)
    scope = fields.CharEnumField(AccessScope, max_length=10, default=AccessScope.TEAM)
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    team_id: int | None
    phone = fields.CharField(max_length=20, null=True)
    extension = fields.CharField(max_length=20, null=True)
    email = fields.CharField(max_length=200, null=True)
    # The team lead is the first step of alarm escalation (team lead, then manager).
    is_team_lead = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"


class ApiToken(Model):
    """A bearer token of the JSON API, only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "api_token"
