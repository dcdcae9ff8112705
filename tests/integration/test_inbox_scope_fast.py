"""The inbox of a team-scoped agent is counted branch by branch: same rows, order and count as the plain filter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import core.queries.conversations as conversations
from core.access import conversation_q
from core.errors import Forbidden
from core.models import Channel, Contact, Conversation, ConversationStatus, Role, Team, User
from core.models.enums import AccessScope
from core.queries import list_conversations
from tests.support.databases import backend

STATUS_FILTERS: list[Any] = [
    None,
    "open",
    "open,pending",
    "pending,open,open",
    ["open", "pending", "bot"],
    [ConversationStatus.RESOLVED, ConversationStatus.CLOSED],
    "bot",
]


async def _world() -> dict[str, User]:
    """Two teams, agents in and out of them with every scope, and 240 conversations of every shape.

    Conversations are assigned to agents of the same team, of another team, with no team at all, to
    nobody with a team or without; many share a last_activity_at, so ties are ordered by id.
    """
    team_a, team_b = await Team.create(name="تیم الف"), await Team.create(name="تیم ب")
    users = {
        "agent_a": await User.create(username="agent_a", scope=AccessScope.TEAM, team=team_a),
        "agent_a2": await User.create(username="agent_a2", scope=AccessScope.TEAM, team=team_a),
        "agent_b": await User.create(username="agent_b", scope=AccessScope.TEAM, team=team_b),
        "teamless": await User.create(username="teamless", scope=AccessScope.TEAM, team=None),
        "own_a": await User.create(username="own_a", scope=AccessScope.OWN, team=team_a),
        "admin": await User.create(username="admin", role=Role.ADMIN, scope=AccessScope.ALL),
        "gone": await User.create(username="gone", scope=AccessScope.TEAM, team=team_a, is_active=False),
    }
    staff = [None, *(u.id for u in users.values())]
    teams = [None, team_a.id, team_b.id]
    contacts = [await Contact.create(display_name=f"مشتری {i}") for i in range(6)]
    rng = random.Random(7)
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    rows = []
    for i in range(240):
        rows.append(
            Conversation(
                channel=rng.choice([Channel.TELEGRAM, Channel.SMS, Channel.EMAIL]),
                contact_id=rng.choice(contacts).id,
                status=rng.choice(list(ConversationStatus)),
                assignee_id=rng.choice(staff),
                team_id=rng.choice(teams),
                labels=["vip"] if i % 5 == 0 else [],
                last_activity_at=start + timedelta(minutes=rng.randrange(60)),  # many ties
            )
        )
    await Conversation.bulk_create(rows)
    return users


async def _expected(user: User, filters: dict[str, Any]) -> list[int]:
    """Ids visible to `user` with the plain filter of core.access, newest activity first."""
    qs = Conversation.filter(conversation_q(user))
    status = filters.get("status")
    if status:
        names = status.split(",") if isinstance(status, str) else status
        qs = qs.filter(status__in=[ConversationStatus(s) for s in names])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("unassigned"):
        qs = qs.filter(assignee_id=None)
    if filters.get("team_id") is not None:
        qs = qs.filter(team_id=filters["team_id"])
    if filters.get("assignee_id") is not None:
        qs = qs.filter(assignee_id=filters["assignee_id"])
    if filters.get("contact_id") is not None:
        qs = qs.filter(contact_id=filters["contact_id"])
    ids: list[int] = await qs.order_by("-last_activity_at", "-id").values_list("id", flat=True)  # type: ignore[assignment]
    label = (filters.get("label") or "").strip()
    if label:
        labelled = {c.id for c in await Conversation.filter(id__in=ids) if label in c.labels}
        ids = [i for i in ids if i in labelled]
    return ids


async def _check(user: User, filters: dict[str, Any], page: int = 9) -> None:
    expected = await _expected(user, filters)
    seen: list[int] = []
    for offset in range(0, len(expected) + page, page):
        rows, total = await list_conversations(user=user, limit=page, offset=offset, **filters)
        assert total == len(expected), (user.username, filters, offset)
        seen += [c.id for c in rows]
    assert seen == expected, (user.username, filters)
    first, total = await list_conversations(user=user, **filters)
    assert [c.id for c in first] == expected[:50] and total == len(expected)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records each use of the branch-by-branch count."""
    calls: list[int] = []
    real = conversations._team_scope_count

    async def spy(user: User, statuses: Any) -> int:
        calls.append(user.id)
        return await real(user, statuses)

    monkeypatch.setattr(conversations, "_team_scope_count", spy)
    return calls


@pytest.mark.parametrize("name", ["agent_a", "agent_a2", "agent_b", "teamless"])
async def test_a_team_agent_gets_the_same_pages_and_count_with_every_status_filter(
    db: str, counted: list[int], name: str
) -> None:
    users = await _world()
    for status in STATUS_FILTERS:
        await _check(users[name], {"status": status})
    # The branch-by-branch count did the counting on SQLite; PostgreSQL keeps its one-scan count.
    assert set(counted) == ({users[name].id} if backend() == "sqlite" else set())


@pytest.mark.parametrize("name", ["agent_a", "agent_b", "teamless"])
async def test_the_branch_count_equals_the_plain_count_on_either_database(db: str, name: str) -> None:
    users = await _world()
    user = users[name]
    for status in STATUS_FILTERS:
        names = [] if status is None else status.split(",") if isinstance(status, str) else status
        statuses = list(dict.fromkeys(ConversationStatus(s) for s in names)) or None
        expected = await _expected(user, {"status": status})
        assert await conversations._team_scope_count(user, statuses) == len(expected), status


async def test_own_scope_and_admin_keep_the_plain_query_and_an_inactive_user_is_refused(
    db: str, counted: list[int]
) -> None:
    users = await _world()
    for name in ("own_a", "admin"):
        for status in (None, "open,pending"):
            await _check(users[name], {"status": status})
    assert counted == []
    # A deactivated account reads no area at all (core.areas), so the inbox refuses it outright.
    with pytest.raises(Forbidden):
        await list_conversations(user=users["gone"])


async def test_other_filters_with_the_team_scope_give_the_plain_result(db: str, counted: list[int]) -> None:
    users = await _world()
    contact = await Contact.first()
    assert contact is not None
    team_a = users["agent_a"].team_id
    combos: list[dict[str, Any]] = [
        {"status": "open,pending", "channel": "telegram"},
        {"status": "open", "unassigned": True},
        {"unassigned": True},
        {"status": "open,pending", "team_id": team_a},
        {"assignee_id": users["agent_a2"].id},
        {"status": "open,pending", "label": "vip"},
        {"label": "   ", "status": "open"},
        {"contact_id": contact.id, "status": ["open", "pending"]},
    ]
    for name in ("agent_a", "teamless"):
        for filters in combos:
            await _check(users[name], filters)
    # Only the blank label (ignored) leaves the list as plain as a status filter alone.
    fast = {users["agent_a"].id, users["teamless"].id} if backend() == "sqlite" else set()
    assert set(counted) == fast
    counted.clear()
    await list_conversations(user=users["agent_a"], status="open", channel="telegram", limit=1)
    assert counted == []


async def test_the_count_follows_reassignment_between_team_pool_and_agent(db: str) -> None:
    users = await _world()
    agent = users["agent_a"]
    team_b = users["agent_b"].team_id
    await _check(agent, {"status": "open,pending"})
    first_40 = await Conversation.all().order_by("id").limit(40).values_list("id", flat=True)
    await Conversation.filter(id__in=first_40).update(assignee_id=agent.id, team_id=team_b)
    await Conversation.filter(assignee_id=users["agent_b"].id).update(team_id=None)
    await Conversation.filter(status=ConversationStatus.BOT).update(assignee_id=None, team_id=None)
    for status in (None, "open,pending", "bot"):
        await _check(agent, {"status": status})
