"""Staff actions: create users, set passwords, issue API tokens."""

from __future__ import annotations

import re

from core.actions.audit import record
from core.errors import ValidationError
from core.models import ApiToken, Role, Team, User
from core.passwords import hash_password, new_token, token_digest
from core.tx import atomic

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


async def create_user(
    username: str,
    password: str | None,
    *,
    role: Role = Role.AGENT,
    full_name: str = "",
    team: Team | None = None,
    by: User | None = None,
) -> User:
    """Create a staff user; the password (if any) is stored as an argon2 hash."""
    if not USERNAME.match(username):
        raise ValidationError("username: 2-64 Latin letters, digits, dot, dash or underscore")
    if password is not None and len(password) < 8:
        raise ValidationError("password: at least 8 characters")
    if await User.exists(username=username):
        raise ValidationError(f"username {username!r} is taken")
    async with atomic() as out:
        user = await User.create(
            username=username,
            full_name=full_name,
            role=role,
            team=team,
            password_hash=hash_password(password) if password else "",
        )
        await record(by, "user.create", user, username=username, role=str(role))
        out.emit("user.created", user_id=user.id)
    return user


async def issue_token(user: User, name: str = "cli") -> str:
    """Create an API token for `user` and return it (only its digest is kept)."""
    token = new_token()
    async with atomic():
        row = await ApiToken.create(user=user, token_hash=token_digest(token), name=name)
        await record(user, "token.issue", row, name=name)
    return token
