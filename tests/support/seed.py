"""Test data through the real actions: staff with PBX extensions, contacts with phones."""

from __future__ import annotations

from core.actions.contacts import create_contact, update_contact
from core.actions.staff import create_user
from core.actions.teams import set_phone_line
from core.models import Contact, IdentityKind, Role, Team, User


async def seed_user(
    username: str,
    full_name: str,
    *,
    team: Team | None = None,
    role: Role = Role.AGENT,
    extension: str | None = None,
    phone: str | None = None,
) -> User:
    """A staff user, with the PBX extension and phone the CTI webhook matches agents by."""
    user = await create_user(username, "a-long-password", role=role, full_name=full_name, team=team)
    if extension or phone:
        user = await set_phone_line(user.id, phone=phone, extension=extension)
    return user


async def seed_contact(name: str, phone: str, *, team: Team | None = None) -> Contact:
    """A contact with one phone identity, optionally in a team."""
    contact = await create_contact(name, identities=[(IdentityKind.PHONE, phone)])
    if team is not None:
        contact = await update_contact(contact.id, by=None, team_id=team.id)
    return contact
