"""Staff management actions: invite, edit, reset password, teams, and deactivation with hand-over (SAL-6)."""

from __future__ import annotations

import pytest

from core.actions.signin import sign_in
from core.actions.staff import issue_token
from core.actions.staff_admin import (
    deactivate_user,
    invite_user,
    open_work_counts,
    reactivate_user,
    reset_password,
    update_user,
)
from core.actions.staff_rules import StaffError
from core.actions.teams import create_team, rename_team, set_team_lead, team_lead
from core.events import Event, bus
from core.models import ApiToken, AuditLog, Case, Contact, Conversation, Lead, Role, Task, User
from core.models.enums import AccessScope
from core.passwords import verify_password
from tests.support.seed import seed_user
from tests.support.staff import give_work

MODELS = {"conversation": (Conversation, "assignee_id"), "case": (Case, "assignee_id"), "lead": (Lead, "owner_id")}
MODELS |= {"task": (Task, "owner_id"), "contact": (Contact, "owner_id")}


async def _holder(kind: str, pk: int) -> int | None:
    model, column = MODELS[kind]
    return (await model.filter(id=pk).values_list(column, flat=True))[0]


async def test_an_invited_user_gets_a_generated_password_that_signs_in(db: str) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    team = await create_team("مرکز تماس", by=admin)
    user, password = await invite_user(
        "reza", by=admin, full_name="رضا  کریمی", role="agent", scope="own", team_id=team.id, extension="۱۰۲"
    )
    assert len(password) == 14 and verify_password(user.password_hash, password)
    assert (user.full_name, user.role, user.scope, user.team_id, user.extension) == (
        "رضا کریمی",
        Role.AGENT,
        AccessScope.OWN,
        team.id,
        "102",
    )
    assert await sign_in("reza", password, ip="127.0.0.1") is not None
    row = await AuditLog.get(action="user.create", object_id=str(user.id))
    assert row.user_id == admin.id and row.changes["team_id"] == team.id and row.changes["scope"] == "own"


async def test_a_typed_initial_password_is_kept_and_a_short_one_is_refused(db: str) -> None:
    user, password = await invite_user("reza", by=None, password="a-long-password")
    assert password == "a-long-password" and verify_password(user.password_hash, "a-long-password")
    with pytest.raises(StaffError) as refused:
        await invite_user("mina", by=None, password="short")
    assert refused.value.code == "password_short" and not await User.exists(username="mina")


async def test_usernames_are_unique_without_regard_to_case(db: str) -> None:
    await invite_user("Zahra", by=None)
    with pytest.raises(StaffError) as refused:
        await invite_user("zahra", by=None)
    assert refused.value.code == "username_taken"
    with pytest.raises(StaffError) as refused:
        await invite_user("زهرا", by=None)
    assert refused.value.code == "username_format"


async def test_editing_a_user_writes_one_audit_row_with_old_and_new_values(db: str) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    team = await create_team("فروش", by=admin)
    user = await seed_user("reza", "رضا کریمی")
    await update_user(
        user.id, by=admin, role="sales", scope="all", team_id=team.id, phone="۰۹۱۲ ۱۲۳ ۴۵۶۷", extension="۲۰۱"
    )
    user = await User.get(id=user.id)
    assert (user.role, user.scope, user.team_id, user.phone, user.extension) == (
        Role.SALES,
        AccessScope.ALL,
        team.id,
        "+989121234567",
        "201",
    )
    rows = await AuditLog.filter(action="user.update", object_id=str(user.id))
    assert len(rows) == 1 and rows[0].changes["role"] == ["agent", "sales"] and rows[0].user_id == admin.id
    with pytest.raises(StaffError) as refused:
        await update_user(user.id, by=admin, extension="داخلی")
    assert refused.value.code == "bad_extension"


async def test_moving_a_team_lead_to_another_team_ends_their_lead(db: str) -> None:
    support, sales = await create_team("پشتیبانی"), await create_team("فروش")
    lead = await seed_user("reza", "رضا کریمی", team=support)
    await set_team_lead(support.id, lead.id)
    assert (await team_lead(support.id)).id == lead.id  # type: ignore[union-attr]
    await update_user(lead.id, by=None, team_id=sales.id)
    assert await team_lead(support.id) is None and await team_lead(sales.id) is None


async def test_a_team_has_one_lead_and_only_a_member_can_lead_it(db: str) -> None:
    team, other = await create_team("پشتیبانی"), await create_team("فروش")
    first = await seed_user("reza", "رضا کریمی", team=team)
    second = await seed_user("mina", "مینا احمدی", team=team)
    outsider = await seed_user("ali", "علی نوری", team=other)
    await set_team_lead(team.id, first.id)
    await set_team_lead(team.id, second.id)
    assert [u.username for u in await User.filter(is_team_lead=True)] == ["mina"]
    with pytest.raises(StaffError) as refused:
        await set_team_lead(team.id, outsider.id)
    assert refused.value.code == "lead_not_member"
    assert await AuditLog.filter(action="team.lead", object_id=str(team.id)).count() == 2


async def test_teams_are_renamed_to_a_free_name_only(db: str) -> None:
    team, _ = await create_team("پشتیبانی"), await create_team("فروش")
    await rename_team(team.id, "  پشتیبانی   فنی ")
    assert (await AuditLog.get(action="team.rename")).changes == {"name": ["پشتیبانی", "پشتیبانی فنی"]}
    with pytest.raises(StaffError) as refused:
        await rename_team(team.id, "فروش")
    assert refused.value.code == "team_name_taken"


async def test_deactivating_hands_every_open_record_to_the_successor_and_leaves_finished_ones(db: str) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    leaving = await seed_user("reza", "رضا کریمی")
    successor = await seed_user("mina", "مینا احمدی")
    work = await give_work(leaving)
    await issue_token(leaving)
    assert await open_work_counts(leaving.id) == {k: len(v) for k, v in work.open.items()}
    seen: list[Event] = []
    unsubscribe = bus.subscribe("conversation.assigned", seen.append)
    try:
        handed = await deactivate_user(leaving.id, by=admin, hand_to=successor.id)
    finally:
        unsubscribe()
    assert handed.ids == work.open
    for kind, ids in work.open.items():
        assert [await _holder(kind, pk) for pk in ids] == [successor.id] * len(ids)
        for pk in ids:
            row = await AuditLog.get(action=f"{kind}.handover", object_id=str(pk))
            assert row.user_id == admin.id and list(row.changes.values()) == [[leaving.id, successor.id]]
    for kind, ids in work.done.items():
        assert [await _holder(kind, pk) for pk in ids] == [leaving.id] * len(ids)
    leaving = await User.get(id=leaving.id)
    assert not leaving.is_active and not await ApiToken.exists(user_id=leaving.id, revoked=False)
    summary = await AuditLog.get(action="user.deactivate", object_id=str(leaving.id))
    assert summary.changes["moved"] == handed.moved and summary.changes["tokens_revoked"] == 1
    assert sorted(e.data["conversation_id"] for e in seen) == work.open["conversation"]
    assert await sign_in("reza", "a-long-password", ip="127.0.0.1") is None


async def test_deactivating_a_user_who_holds_open_work_needs_a_successor(db: str) -> None:
    leaving = await seed_user("reza", "رضا کریمی")
    await give_work(leaving)
    with pytest.raises(StaffError) as refused:
        await deactivate_user(leaving.id, by=None)
    assert refused.value.code == "needs_successor" and (await User.get(id=leaving.id)).is_active
    idle = await seed_user("mina", "مینا احمدی")
    await deactivate_user(idle.id, by=None)
    assert not (await User.get(id=idle.id)).is_active


async def test_the_successor_must_be_another_active_user(db: str) -> None:
    leaving = await seed_user("reza", "رضا کریمی")
    gone = await seed_user("mina", "مینا احمدی")
    await deactivate_user(gone.id, by=None)
    for hand_to in (leaving.id, gone.id, 9999):
        with pytest.raises(StaffError) as refused:
            await deactivate_user(leaving.id, by=None, hand_to=hand_to)
        assert refused.value.code == "bad_successor"
    assert (await User.get(id=leaving.id)).is_active


async def test_nobody_deactivates_themselves_and_the_last_admin_stays(db: str) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    with pytest.raises(StaffError) as refused:
        await deactivate_user(admin.id, by=admin)
    assert refused.value.code == "self_deactivate"
    # Only an admin changes staff (core/areas.py); the system (by=None, the command line) is held back too.
    with pytest.raises(StaffError) as refused:
        await deactivate_user(admin.id, by=None)
    assert refused.value.code == "last_admin"
    with pytest.raises(StaffError) as refused:
        await update_user(admin.id, by=None, role="agent")
    assert refused.value.code == "last_admin"
    second = await seed_user("nima", "نیما رستمی", role=Role.ADMIN)
    await update_user(admin.id, by=second, role="manager")
    assert (await User.get(id=admin.id)).role == Role.MANAGER


async def test_a_reset_password_replaces_the_old_one(db: str) -> None:
    user = await seed_user("reza", "رضا کریمی")
    password = await reset_password(user.id, by=None)
    assert await sign_in("reza", "a-long-password", ip="127.0.0.2") is None
    assert await sign_in("reza", password, ip="127.0.0.2") is not None
    assert await reset_password(user.id, by=None, password="another-long-one") == "another-long-one"
    rows = await AuditLog.filter(action="user.password_reset").order_by("id").values_list("changes", flat=True)
    assert [row["generated"] for row in rows] == [True, False]


async def test_a_reactivated_user_signs_in_again(db: str) -> None:
    user = await seed_user("reza", "رضا کریمی")
    await deactivate_user(user.id, by=None)
    assert await sign_in("reza", "a-long-password", ip="127.0.0.3") is None
    await reactivate_user(user.id, by=None)
    assert await sign_in("reza", "a-long-password", ip="127.0.0.3") is not None
    assert await AuditLog.exists(action="user.reactivate", object_id=str(user.id))
