"""Teams and the phone lines of staff (the PBX extension and phone the CTI webhook matches agents by)."""

from __future__ import annotations

from core.actions.audit import record
from core.errors import NotFound, ValidationError
from core.models import Team, User
from core.phones import normalize_phone
from core.text import to_ascii_digits
from core.tx import atomic


async def create_team(name: str, *, segment: str | None = None, by: User | None = None) -> Team:
    """Create a team (call center, technical support, sales); names are unique."""
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValidationError("name: a team needs a name")
    if await Team.exists(name=name):
        raise ValidationError(f"a team named {name!r} already exists")
    async with atomic() as out:
        team = await Team.create(name=name, segment=segment)
        await record(by, "team.create", team, name=name, segment=segment)
        out.emit("team.created", team_id=team.id)
    return team


async def set_phone_line(
    user_id: int, *, phone: str | None = None, extension: str | None = None, by: User | None = None
) -> User:
    """Set a staff member's phone (stored E.164) and PBX extension (digits); None clears one."""
    e164 = normalize_phone(phone) if phone else None
    ext = to_ascii_digits(extension).strip() if extension else None
    if ext is not None and not (ext.isdigit() and len(ext) <= 20):
        raise ValidationError("extension: digits only, at most 20")
    async with atomic() as out:
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None:
            raise NotFound(f"user {user_id} not found")
        changes = {k: [getattr(user, k), v] for k, v in (("phone", e164), ("extension", ext)) if getattr(user, k) != v}
        if changes:
            user.phone, user.extension = e164, ext
            await user.save(update_fields=["phone", "extension"])
            await record(by, "user.phone_line", user, **changes)
            out.emit("user.updated", user_id=user.id)
    return user
