"""Test data for the scheduler and alarm tests: a staffed team, a customer's case at a chosen time, clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.actions.cases import open_case
from core.actions.teams import create_team, set_team_lead
from core.jalali import parse_jalali_datetime
from core.models import Case, CaseEvent, Contact, Role, Team, User
from tests.support.seed import seed_contact, seed_user


def at(text: str) -> datetime:
    """A Tehran wall-clock time written in Jalali (1405/09/17 10:00), as the aware UTC instant."""
    return parse_jalali_datetime(text)


@dataclass
class Staff:
    """A service team with an agent, a lead, and a manager outside the team."""

    team: Team
    agent: User
    lead: User
    manager: User


async def staffed_team(*, emails: bool = True) -> Staff:
    """The service team: agent Reza, lead Sara, manager Maryam (each with an email address unless told not)."""
    team = await create_team("پشتیبانی فنی")
    agent = await seed_user("reza", "رضا محمدی", team=team, role=Role.AGENT)
    lead = await seed_user("sara", "سارا کریمی", team=team, role=Role.AGENT)
    manager = await seed_user("maryam", "مریم کاظمی", role=Role.MANAGER)
    await set_team_lead(team.id, lead.id)
    if emails:
        for user in (agent, lead, manager):
            await User.filter(id=user.id).update(email=f"{user.username}@example.ir")
    return Staff(team, *[await User.get(id=u.id) for u in (agent, lead, manager)])


async def case_opened_at(
    when: datetime, *, contact: Contact | None = None, team: Team | None = None, **kw: Any
) -> Case:
    """A case for a customer, as if it had been opened at `when` (its history row moves too)."""
    contact = contact or await seed_contact("امیر رضایی", "09121234567")
    case = await open_case(contact_id=contact.id, by=None, subject=kw.pop("subject", "کولر سرد نمی‌کند"), **kw)
    await Case.filter(id=case.id).update(created_at=when, team_id=team.id if team else None)
    await CaseEvent.filter(case_id=case.id).update(at=when)
    return await Case.get(id=case.id)


async def status_at(case: Case, when: datetime) -> None:
    """Move the last history row of a case to `when` (a status change made at that time)."""
    last = await CaseEvent.filter(case_id=case.id).order_by("-id").first()
    assert last is not None
    await CaseEvent.filter(id=last.id).update(at=when)
