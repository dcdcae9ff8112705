"""Server-side state of staff sign-in: admin sessions and the sign-in attempt counters."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StaffSession(Model):
    """One signed-in admin session: the cookie carries its random id, the row says whether it still holds."""

    # SHA-256 hex of the random id in the cookie: a copy of the table does not give out live sessions.
    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    ip = fields.CharField(max_length=45, default="")

    class Meta:
        table = "staff_session"
        indexes = (("user_id", "revoked_at"),)


class SignInCounter(Model):
    """Failed sign-ins of one key (username + address, username, or address) in the current window.

    Counted with conditional UPDATEs, so the check and the count are one atomic step on SQLite and
    PostgreSQL alike (core.actions.signin).
    """

    key = fields.CharField(max_length=160, primary_key=True)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)
    # The lock-out of this window is in the audit log already (written once per lock-out).
    lock_logged = fields.BooleanField(default=False)

    class Meta:
        table = "signin_counter"
