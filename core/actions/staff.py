"""Staff actions: create users, set passwords, issue API tokens."""

from __future__ import annotations

from core.actions.audit import record
from core.actions.staff_rules import (
    check_password,
    check_scope,
    check_username,
    check_username_free,
    clean_phone_line,
)
from core.areas import Area, require_write
from core.models import ApiToken, Role, Team, User
from core.models.enums import AccessScope
from core.passwords import hash_password_async, new_token, token_digest
from core.tx import atomic

__all__ = ["create_user", "issue_token"]


async def create_user(
    username: str,
    password: str | None,
    *,
    role: Role = Role.AGENT,
    full_name: str = "",
    team: Team | None = None,
    by: User | None = None,
    scope: AccessScope | str = AccessScope.TEAM,
    phone: str | None = None,
    extension: str | None = None,
) -> User:
    """Create a staff user; the password (if any) is stored as an argon2 hash (StaffError when refused)."""
    require_write(by, Area.STAFF)
    username = check_username(username)
    if password is not None:
        check_password(password)
    scope = check_scope(scope)
    phone, extension = clean_phone_line(phone, extension)
    await check_username_free(username)
    password_hash = await hash_password_async(password) if password else ""
    async with atomic() as out:
        user = await User.create(
            username=username,
            full_name=full_name,
            role=role,
            scope=scope,
            team=team,
            phone=phone,
            extension=extension,
            password_hash=password_hash,
        )
        await record(
            by,
            "user.create",
            user,
            username=username,
            full_name=full_name,
            role=str(role),
            scope=str(scope),
            team_id=team.id if team else None,
            phone=phone,
            extension=extension,
        )
        out.emit("user.created", user_id=user.id)
    return user


async def issue_token(user: User, name: str = "cli") -> str:
    """Create an API token for `user` and return it (only its digest is kept)."""
    token = new_token()
    async with atomic():
        row = await ApiToken.create(user=user, token_hash=token_digest(token), name=name)
        await record(user, "token.issue", row, name=name)
    return token
