"""Record-level access (PLT-4): own / team / all, for conversations, cases and contacts."""

from __future__ import annotations

import pytest

from core.access import conversation_q, get_case_for, get_contact_for, get_conversation_for
from core.actions.cases import open_case, set_case_status
from core.actions.conversations import assign, set_labels
from core.actions.inbox import ingest_message
from core.actions.staff import create_user
from core.errors import Forbidden, NotFound
from core.models import CaseStatus, Conversation, Role, Team, User
from core.models.enums import AccessScope
from core.queries import list_conversations, search_contacts
from tests.support.inbound import telegram


async def _teams() -> tuple[Team, Team]:
    return await Team.create(name="تیم الف"), await Team.create(name="تیم ب")


async def _user(name: str, team: Team | None, *, role: Role = Role.AGENT, scope: AccessScope | None = None) -> User:
    user = await create_user(name, "a-long-password", role=role, team=team)
    if scope is not None:
        await User.filter(id=user.id).update(scope=scope)
        await user.refresh_from_db()
    return user


async def _conversation_of(team: Team | None, user_id: int) -> Conversation:
    result = await ingest_message(telegram(user_id, "سلام"))
    await assign(result.conversation.id, by=None, team_id=team.id if team else None)
    return await Conversation.get(id=result.conversation.id)


async def test_an_agent_of_team_a_cannot_open_a_team_b_conversation_but_a_manager_can(db: str) -> None:
    team_a, team_b = await _teams()
    agent = await _user("agent_a", team_a)
    manager = await _user("manager", None, role=Role.MANAGER)
    theirs = await _conversation_of(team_b, 3001)
    with pytest.raises(Forbidden):
        await get_conversation_for(agent, theirs.id)
    assert (await get_conversation_for(manager, theirs.id)).id == theirs.id


async def test_a_missing_conversation_is_not_found_rather_than_forbidden(db: str) -> None:
    team_a, _ = await _teams()
    agent = await _user("agent_a", team_a)
    with pytest.raises(NotFound):
        await get_conversation_for(agent, 999_999)


async def test_a_team_agent_sees_the_team_the_unrouted_pool_and_own_assignments(db: str) -> None:
    team_a, team_b = await _teams()
    agent = await _user("agent_a", team_a)
    ours = await _conversation_of(team_a, 3002)
    pool = await _conversation_of(None, 3003)
    theirs = await _conversation_of(team_b, 3004)
    mine_elsewhere = await _conversation_of(team_b, 3005)
    await assign(mine_elsewhere.id, by=None, user_id=agent.id, team_id=team_b.id)
    rows, total = await list_conversations(user=agent)
    assert {c.id for c in rows} == {ours.id, pool.id, mine_elsewhere.id} and total == 3
    assert theirs.id not in {c.id for c in rows}


async def test_an_own_scope_agent_sees_only_what_is_assigned_to_them(db: str) -> None:
    team_a, _ = await _teams()
    agent = await _user("solo", team_a, scope=AccessScope.OWN)
    await _conversation_of(team_a, 3006)
    await _conversation_of(None, 3007)
    mine = await _conversation_of(team_a, 3008)
    await assign(mine.id, by=None, user_id=agent.id)
    rows, _ = await list_conversations(user=agent)
    assert [c.id for c in rows] == [mine.id]


async def test_an_inactive_user_sees_nothing(db: str) -> None:
    manager = await _user("gone", None, role=Role.MANAGER)
    await User.filter(id=manager.id).update(is_active=False)
    await manager.refresh_from_db()
    conversation = await _conversation_of(None, 3009)
    assert not await Conversation.filter(conversation_q(manager)).exists()
    with pytest.raises(Forbidden):  # an inactive user may not even open the inbox (core/areas.py)
        await list_conversations(user=manager)
    with pytest.raises(Forbidden):
        await get_conversation_for(manager, conversation.id)


async def test_a_contact_is_visible_through_a_visible_conversation_only(db: str) -> None:
    team_a, team_b = await _teams()
    agent = await _user("agent_a", team_a)
    ours = await _conversation_of(team_a, 3010)
    theirs = await _conversation_of(team_b, 3011)
    assert (await get_contact_for(agent, ours.contact_id)).id == ours.contact_id
    with pytest.raises(Forbidden):
        await get_contact_for(agent, theirs.contact_id)
    rows, _ = await search_contacts("", user=agent)
    assert [c.id for c in rows] == [ours.contact_id]


async def test_cases_follow_the_same_rules_and_their_creator_keeps_sight_of_them(db: str) -> None:
    team_a, team_b = await _teams()
    agent_a = await _user("agent_a", team_a)
    agent_b = await _user("agent_b", team_b)
    conversation = await _conversation_of(team_a, 3012)
    case = await open_case(contact_id=conversation.contact_id, by=agent_a, conversation_id=conversation.id)
    assert (await get_case_for(agent_a, case.id)).id == case.id
    with pytest.raises(Forbidden):
        await get_case_for(agent_b, case.id)
    with pytest.raises(Forbidden):
        await set_case_status(case.id, CaseStatus.CLOSED, by=agent_b)


async def test_a_staff_action_on_a_conversation_one_cannot_see_is_refused(db: str) -> None:
    team_a, team_b = await _teams()
    agent = await _user("agent_a", team_a)
    theirs = await _conversation_of(team_b, 3013)
    with pytest.raises(Forbidden):
        await set_labels(theirs.id, ["فوری"], by=agent)
    assert (await Conversation.get(id=theirs.id)).labels == []
