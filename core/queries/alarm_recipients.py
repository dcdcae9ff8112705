"""Who an alarm goes to and where: a rule's users, teams, roles and dynamic recipients, and their addresses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.db import int_column
from core.models import Channel, Contact, ContactIdentity, IdentityKind, Role, StaffLink, User
from core.phones import try_normalize_phone
from core.queries.alarm_subjects import Subject

# Where a customer can be reached on each channel.
CUSTOMER_IDENTITY = {
    Channel.SMS: IdentityKind.PHONE,
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.BALE: IdentityKind.BALE,
    Channel.EMAIL: IdentityKind.EMAIL,
}


@dataclass(frozen=True)
class Address:
    """One place to send to: a staff member's or a customer's address on one channel."""

    channel: Channel
    address: str
    user_id: int | None = None
    contact_id: int | None = None

    @property
    def who(self) -> str:
        """u12 for a staff member, c7 for a customer (part of the delivery's unique key)."""
        return f"u{self.user_id}" if self.user_id is not None else f"c{self.contact_id}"


async def staff_of(recipients: Mapping[str, Any], subject: Subject | None) -> list[User]:
    """The active staff a rule names, with its dynamic recipients resolved on the subject."""
    ids: set[int] = {int(i) for i in recipients.get("users", [])}
    if teams := list(recipients.get("teams", [])):
        ids |= set(await int_column(User.filter(team_id__in=teams)))
    if roles := list(recipients.get("roles", [])):
        ids |= set(await int_column(User.filter(role__in=roles)))
    dynamic = set(recipients.get("dynamic", []))
    if subject is not None:
        if "assignee" in dynamic and subject.assignee_id:
            ids.add(subject.assignee_id)
        if "team" in dynamic and subject.team_id:
            ids |= set(await int_column(User.filter(team_id=subject.team_id)))
        if "team_lead" in dynamic and subject.team_id:
            ids |= set(await team_leads(subject.team_id))
        if "collector" in dynamic:
            ids |= set(subject.collector_ids)
    return list(await User.filter(id__in=ids, is_active=True).order_by("id")) if ids else []


async def team_leads(team_id: int | None) -> list[int]:
    """Ids of the active leads of a team (the first escalation level)."""
    if not team_id:
        return []
    return await int_column(User.filter(team_id=team_id, is_team_lead=True, is_active=True))


async def fallback_staff() -> list[User]:
    """Managers, else admins: who gets an alarm whose rule finds nobody, so no alarm is lost."""
    for role in (Role.MANAGER, Role.ADMIN):
        found = list(await User.filter(role=role, is_active=True).order_by("id"))
        if found:
            return found
    return []


async def staff_addresses(users: Sequence[User], channels: Iterable[str]) -> list[Address]:
    """Each user's addresses on the rule's channels: linked Telegram/Bale chats, phone for SMS, email."""
    wanted = [Channel(c) for c in channels]
    links = await StaffLink.filter(user_id__in=[u.id for u in users])
    chats = {(link.user_id, link.channel): link.chat_id for link in links}
    out: list[Address] = []
    for user in users:
        for channel in wanted:
            if channel in (Channel.TELEGRAM, Channel.BALE):
                address = chats.get((user.id, channel))
            elif channel == Channel.SMS:
                address = try_normalize_phone(user.phone or "")
            else:
                address = (user.email or "").strip() or None
            if address:
                out.append(Address(channel, address, user_id=user.id))
    return out


async def customer_address(contact: Contact | None, channels: Iterable[str]) -> Address | None:
    """The first of the rule's channels the customer can be reached on (one notice per customer)."""
    if contact is None:
        return None
    identities = await ContactIdentity.filter(contact_id=contact.id).order_by("-verified", "-id")
    unreachable = set(contact.unreachable or [])
    for name in channels:
        channel = Channel(name)
        kind = CUSTOMER_IDENTITY.get(channel)
        if kind is None or channel.value in unreachable:
            continue
        for identity in identities:
            if identity.kind == kind:
                return Address(channel, identity.value, contact_id=contact.id)
    return None
