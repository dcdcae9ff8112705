"""Managing staff from the admin: invite, edit, reset a password, deactivate and hand the work over (SAL-6)."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.actions.handover import HandOver, hand_over_records, open_work_counts
from core.actions.staff import create_user
from core.actions.staff_rules import (
    StaffError,
    check_password,
    check_role,
    check_scope,
    clean_phone_line,
    generate_password,
)
from core.actions.staff_sessions import revoke_sessions
from core.areas import Area, require_write
from core.errors import NotFound
from core.models import ApiToken, Role, Team, User
from core.passwords import hash_password_async
from core.tx import atomic

__all__ = [
    "deactivate_user",
    "invite_user",
    "open_work_counts",
    "reactivate_user",
    "reset_password",
    "update_user",
]

EDITABLE = ("full_name", "role", "scope", "team_id", "phone", "extension")


async def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = await Team.get_or_none(id=team_id)
    if team is None:
        raise StaffError("no_team", f"team_id: no team {team_id}")
    return team


async def invite_user(
    username: str,
    *,
    by: User | None,
    full_name: str = "",
    role: Role | str = Role.AGENT,
    scope: str = "team",
    team_id: int | None = None,
    phone: str | None = None,
    extension: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a staff user with the password the admin typed, or a generated one; returns both (shown once)."""
    require_write(by, Area.STAFF)
    password = check_password(password) if password else generate_password()
    team = await _team(team_id)
    try:
        user = await create_user(
            username,
            password,
            role=check_role(role),
            full_name=" ".join(full_name.split())[:200],
            team=team,
            by=by,
            scope=scope,
            phone=phone,
            extension=extension,
        )
    except IntegrityError:  # the same username created at the same moment elsewhere
        raise StaffError("username_taken", f"username {username!r} is taken") from None
    return user, password


async def _active_admins() -> int:
    return await User.filter(role=Role.ADMIN, is_active=True).count()


async def update_user(user_id: int, *, by: User | None, **fields: Any) -> User:
    """Change a user's name, role, scope, team, phone or extension; one audit row lists what changed."""
    require_write(by, Area.STAFF)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise StaffError("bad_field", f"cannot change {', '.join(sorted(unknown))}")
    if "role" in fields:
        fields["role"] = check_role(fields["role"])
    if "scope" in fields:
        fields["scope"] = check_scope(fields["scope"])
    if "full_name" in fields:
        fields["full_name"] = " ".join(str(fields["full_name"]).split())[:200]
    if "team_id" in fields:
        await _team(fields["team_id"])
    async with atomic() as out:
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if "phone" in fields or "extension" in fields:
            line = clean_phone_line(fields.get("phone", user.phone), fields.get("extension", user.extension))
            fields["phone"], fields["extension"] = line
        changes = {k: [getattr(user, k), v] for k, v in fields.items() if getattr(user, k) != v}
        if "role" in changes and user.role == Role.ADMIN and user.is_active and await _active_admins() <= 1:
            raise StaffError("last_admin", "the last active admin keeps the admin role")
        if not changes:
            return user
        for key, (_, new) in changes.items():
            setattr(user, key, new)
        if "team_id" in changes and user.is_team_lead:  # a lead of the old team leads nobody in the new one
            user.is_team_lead = False
            changes["is_team_lead"] = [True, False]
        await user.save(update_fields=list(changes))
        await record(by, "user.update", user, **changes)
        out.emit("user.updated", user_id=user.id)
    return user


async def reset_password(
    user_id: int, *, by: User | None, password: str | None = None, keep_session: str | None = None
) -> str:
    """Set a new password (typed or generated) and return it; every session of the user ends (but
    `keep_session`, the resetting admin's own) and every API token is revoked, as a leaked password
    may have minted them."""
    require_write(by, Area.STAFF)
    generated = not password
    password = generate_password() if generated else check_password(password or "")
    password_hash = await hash_password_async(password)
    async with atomic() as out:
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None:
            raise NotFound(f"user {user_id} not found")
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        sessions = await revoke_sessions(user_id, keep=keep_session)
        tokens = await ApiToken.filter(user_id=user_id, revoked=False).update(revoked=True)
        facts = {"generated": generated, "sessions_revoked": sessions, "tokens_revoked": tokens}
        await record(by, "user.password_reset", user, **facts)
        out.emit("user.password_reset", user_id=user.id)
    return password


async def deactivate_user(user_id: int, *, by: User | None, hand_to: int | None = None) -> HandOver:
    """Deactivate a user, hand every open record to `hand_to`, revoke their API tokens and sessions, in one go."""
    require_write(by, Area.STAFF)
    if by is not None and by.id == user_id:
        raise StaffError("self_deactivate", "you cannot deactivate yourself")
    async with atomic() as out:
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if not user.is_active:
            raise StaffError("already_inactive", f"user {user.username!r} is already deactivated")
        if user.role == Role.ADMIN and await _active_admins() <= 1:
            raise StaffError("last_admin", "the last active admin cannot be deactivated")
        if hand_to is None:
            counts = await open_work_counts(user_id)
            if any(counts.values()):
                raise StaffError("needs_successor", f"{user.username!r} holds open records; choose who takes them")
            handed = HandOver(from_user_id=user_id, to_user_id=None)
        else:
            handed = await hand_over_records(user_id, hand_to, by=by)
        revoked = await ApiToken.filter(user_id=user_id, revoked=False).update(revoked=True)
        sessions = await revoke_sessions(user_id)  # reactivation must not bring the old sessions back
        was_lead = user.is_team_lead
        user.is_active, user.is_team_lead = False, False
        await user.save(update_fields=["is_active", "is_team_lead"])
        facts = {"handed_to": hand_to, "moved": handed.moved, "tokens_revoked": revoked, "was_lead": was_lead}
        facts["sessions_revoked"] = sessions
        await record(by, "user.deactivate", user, **facts)
        out.emit("user.deactivated", user_id=user.id, handed_to=hand_to)
    return handed


async def reactivate_user(user_id: int, *, by: User | None) -> User:
    """Let a deactivated user sign in again (their revoked API tokens stay revoked)."""
    require_write(by, Area.STAFF)
    async with atomic() as out:
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if not user.is_active:
            user.is_active = True
            await user.save(update_fields=["is_active"])
            await record(by, "user.reactivate", user)
            out.emit("user.updated", user_id=user.id)
    return user
