"""Teams and the phone lines of staff (the PBX extension and phone the CTI webhook matches agents by)."""

from __future__ import annotations

from core.actions.audit import record
from core.actions.staff_rules import StaffError, clean_phone_line
from core.areas import Area, require_write
from core.errors import NotFound
from core.models import Team, User
from core.tx import atomic


async def _free_name(name: str, team_id: int | None = None) -> str:
    """The cleaned team name, or StaffError when it is empty or another team has it."""
    name = " ".join((name or "").split())[:120]
    if not name:
        raise StaffError("team_name_empty", "name: a team needs a name")
    if await Team.filter(name=name).exclude(id=team_id or 0).exists():
        raise StaffError("team_name_taken", f"a team named {name!r} already exists")
    return name


async def create_team(name: str, *, segment: str | None = None, by: User | None = None) -> Team:
    """Create a team (call center, technical support, sales); names are unique."""
    require_write(by, Area.STAFF)
    name = await _free_name(name)
    async with atomic() as out:
        team = await Team.create(name=name, segment=segment)
        await record(by, "team.create", team, name=name, segment=segment)
        out.emit("team.created", team_id=team.id)
    return team


async def set_phone_line(
    user_id: int, *, phone: str | None = None, extension: str | None = None, by: User | None = None
) -> User:
    """Set a staff member's phone (stored E.164) and PBX extension (digits); None clears one."""
    require_write(by, Area.STAFF)
    e164, ext = clean_phone_line(phone, extension)
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


async def rename_team(team_id: int, name: str, *, by: User | None = None) -> Team:
    """Give a team a new (unique) name."""
    require_write(by, Area.STAFF)
    name = await _free_name(name, team_id)
    async with atomic() as out:
        team = await Team.filter(id=team_id).select_for_update().first()
        if team is None:
            raise NotFound(f"team {team_id} not found")
        if team.name != name:
            await record(by, "team.rename", team, name=[team.name, name])
            team.name = name
            await team.save(update_fields=["name"])
            out.emit("team.updated", team_id=team.id)
    return team


async def team_lead(team_id: int) -> User | None:
    """The active lead of a team, if it has one."""
    return await User.filter(team_id=team_id, is_team_lead=True, is_active=True).order_by("id").first()


async def set_team_lead(team_id: int, user_id: int | None, *, by: User | None = None) -> Team:
    """Make an active member the team's only lead (first step of alarm escalation); None leaves it without one."""
    require_write(by, Area.STAFF)
    async with atomic() as out:
        team = await Team.filter(id=team_id).select_for_update().first()
        if team is None:
            raise NotFound(f"team {team_id} not found")
        if user_id is not None and not await User.exists(id=user_id, team_id=team_id, is_active=True):
            raise StaffError("lead_not_member", f"user {user_id} is not an active member of team {team_id}")
        old = await team_lead(team_id)
        old_id = old.id if old else None
        await User.filter(team_id=team_id, is_team_lead=True).exclude(id=user_id or 0).update(is_team_lead=False)
        if user_id is not None:
            await User.filter(id=user_id).update(is_team_lead=True)
        if old_id != user_id:
            await record(by, "team.lead", team, lead_id=[old_id, user_id])
            out.emit("team.updated", team_id=team.id)
    return team
