"""Record-level access (PLT-4): which conversations, cases, contacts, leads, tasks and calls a staff user may see.

Admins, managers and users with scope `all` see everything. Scope `team` sees what is assigned
to the user or the user's team, and the unrouted pool (no team, no assignee) that a shared inbox
picks work from. Scope `own` sees only what is assigned to or created by the user. Inactive
users see nothing.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from core.errors import Forbidden, NotFound
from core.models import Case, Contact, Conversation, Lead, Role, User
from core.models.enums import AccessScope

NOTHING = Q(id__in=[])


def sees_all(user: User) -> bool:
    """True for admins, managers and users with scope `all`."""
    return user.is_active and (user.role in (Role.ADMIN, Role.MANAGER) or user.scope == AccessScope.ALL)


def _work_q(user: User, *, creator: str | None = None) -> Q:
    if not user.is_active:
        return NOTHING
    if sees_all(user):
        return Q()
    mine = Q(assignee_id=user.id)
    if creator:
        mine |= Q(**{creator: user.id})  # type: ignore[arg-type]
    team_id = user.team_id
    if user.scope == AccessScope.OWN:
        return mine
    pool = Q(team_id=None, assignee_id=None)
    return mine | pool | Q(team_id=team_id) if team_id is not None else mine | pool


def conversation_q(user: User) -> Q:
    """The conversations `user` may see."""
    return _work_q(user)


def case_q(user: User) -> Q:
    """The cases `user` may see (also those the user opened)."""
    return _work_q(user, creator="created_by_id")


def contact_q(user: User) -> Q:
    """The contacts `user` may see: owned, of the team, or behind a visible conversation, case or lead."""
    if not user.is_active:
        return NOTHING
    if sees_all(user):
        return Q()
    team_id = user.team_id
    q = Q(owner_id=user.id)
    q |= Q(id__in=Subquery(Conversation.filter(conversation_q(user)).values("contact_id")))
    q |= Q(id__in=Subquery(Case.filter(case_q(user)).values("contact_id")))
    # Not calls: logging a call with any number records the call, it never opens that number's contact.
    if user.scope != AccessScope.OWN and team_id is not None:
        q |= Q(team_id=team_id)
    q |= Q(id__in=Subquery(Lead.filter(lead_q(user)).values("contact_id")))
    return q


def lead_q(user: User) -> Q:
    """The leads `user` may see: owned, or of the user's team (scope `team`)."""
    if not user.is_active:
        return NOTHING
    if sees_all(user):
        return Q()
    team_id = user.team_id
    q = Q(owner_id=user.id)
    return q | Q(team_id=team_id) if user.scope != AccessScope.OWN and team_id is not None else q


def task_q(user: User) -> Q:
    """The tasks `user` may see: owned, of the team, or unclaimed (no owner, no team) for scope `team`."""
    if not user.is_active:
        return NOTHING
    if sees_all(user):
        return Q()
    mine = Q(owner_id=user.id)
    if user.scope == AccessScope.OWN:
        return mine
    team_id = user.team_id
    pool = Q(owner_id=None, team_id=None)
    return mine | pool | Q(team_id=team_id) if team_id is not None else mine | pool


def call_q(user: User) -> Q:
    """The calls `user` may see: own; for scope `team` also a teammate's, nobody's yet, or the team's customers'."""
    if not user.is_active:
        return NOTHING
    if sees_all(user):
        return Q()
    mine = Q(user_id=user.id)
    if user.scope == AccessScope.OWN:
        return mine
    team_id = user.team_id
    if team_id is None:
        return mine | Q(user_id=None)
    teammates = Q(user_id__in=Subquery(User.filter(team_id=team_id).values("id")))
    customers = Q(contact_id__in=Subquery(Contact.filter(team_id=team_id).values("id")))
    return mine | Q(user_id=None) | teammates | customers


async def get_conversation_for(user: User, conversation_id: int) -> Conversation:
    """The conversation if `user` may see it; NotFound when missing, Forbidden when not allowed."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    if not await Conversation.filter(conversation_q(user), id=conversation_id).exists():
        raise Forbidden(f"you may not see conversation {conversation_id}")
    return conversation


async def get_case_for(user: User, case_id: int) -> Case:
    """The case if `user` may see it; NotFound when missing, Forbidden when not allowed."""
    case = await Case.get_or_none(id=case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    if not await Case.filter(case_q(user), id=case_id).exists():
        raise Forbidden(f"you may not see case {case_id}")
    return case


async def get_contact_for(user: User, contact_id: int) -> Contact:
    """The contact if `user` may see it (a merged contact resolves to the one it was merged into)."""
    contact = await Contact.get_or_none(id=contact_id)
    for _ in range(10):
        if contact is None or contact.merged_into_id is None:
            break
        contact = await Contact.get_or_none(id=contact.merged_into_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    if not await Contact.filter(contact_q(user), id=contact.id).exists():
        raise Forbidden(f"you may not see contact {contact_id}")
    return contact


async def check_conversation(user: User | None, conversation_id: int) -> None:
    """Raise Forbidden when a staff `user` may not act on the conversation (system actions pass None)."""
    if user is not None and not await Conversation.filter(conversation_q(user), id=conversation_id).exists():
        raise Forbidden(f"you may not change conversation {conversation_id}")


async def check_case(user: User | None, case_id: int) -> None:
    """Raise Forbidden when a staff `user` may not act on the case (system actions pass None)."""
    if user is not None and not await Case.filter(case_q(user), id=case_id).exists():
        raise Forbidden(f"you may not change case {case_id}")
