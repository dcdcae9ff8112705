"""Migrations: a database made by the first migration upgrades to the latest with its data kept,
and the latest schema has a column for every field of every model (so a silently dropped
foreign-key column, a known failure of tortoise's autodetector, cannot go unnoticed)."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api

from core.db import MODELS_APP, migrate, tortoise_config
from core.models import Call, Case, Contact, ContactIdentity, Conversation, Message, Task, Team, User
from tests.support.databases import backend
from tests.support.orm import orm_on

FIRST = f"{MODELS_APP}.0001_initial"
T0 = "'2025-03-01 08:30:00+00:00'"


async def _insert(table: str, **values: Any) -> int:
    """INSERT one row with literal SQL values (the test's own constants) and return its id."""
    cols = ", ".join(f'"{c}"' for c in values)
    vals = ", ".join(str(v) for v in values.values())
    rows = await get_connection("default").execute_query_dict(
        f'INSERT INTO "{table}" ({cols}) VALUES ({vals}) RETURNING "id"'
    )
    return int(rows[0]["id"])


async def _fill_first_schema() -> dict[str, int]:
    """Representative rows written against the frozen 0001 schema (every NOT NULL column given)."""
    ids: dict[str, int] = {}
    ids["team"] = await _insert("team", name="'پشتیبانی فنی'", created_at=T0)
    ids["user"] = await _insert(
        "staff_user",
        username="'sara'",
        full_name="'سارا احمدی'",
        password_hash="''",
        role="'agent'",
        scope="'team'",
        phone="'+989121110000'",
        extension="'201'",
        is_team_lead="FALSE",
        is_active="TRUE",
        created_at=T0,
        team_id=ids["team"],
    )
    ids["account"] = await _insert(
        "account", name="'شرکت سرماآفرین'", name_search="'شرکت سرماافرین'", address="''", created_at=T0
    )
    ids["contact"] = await _insert(
        "contact",
        display_name="'علي كريمي'",
        name_search="'علی کریمی'",
        notes="''",
        sms_opt_out="FALSE",
        unreachable="'[]'",
        created_at=T0,
        updated_at=T0,
        account_id=ids["account"],
        owner_id=ids["user"],
        team_id=ids["team"],
    )
    ids["identity"] = await _insert(
        "contact_identity",
        kind="'phone'",
        value="'+989121234567'",
        display="'0912 123 4567'",
        verified="TRUE",
        created_at=T0,
        contact_id=ids["contact"],
    )
    ids["conversation"] = await _insert(
        "conversation",
        channel="'sms'",
        status="'open'",
        priority="'normal'",
        labels="'[\"کولر\"]'",
        subject="''",
        thread_key="'+989121234567'",
        last_activity_at=T0,
        created_at=T0,
        contact_id=ids["contact"],
        assignee_id=ids["user"],
        team_id=ids["team"],
    )
    ids["message"] = await _insert(
        "message",
        direction="'in'",
        channel="'sms'",
        external_id="'kn-1001'",
        text="'کولر گازی سرد نمی‌کند'",
        text_search="'کولر گازی سرد نمی کند'",
        subject="''",
        status="'received'",
        internal="FALSE",
        meta="'{}'",
        previous_texts="'[]'",
        created_at=T0,
        conversation_id=ids["conversation"],
    )
    ids["case"] = await _insert(
        "service_case",
        number="'1403-00042'",
        type="'service'",
        priority="'high'",
        status="'open'",
        subject="'تعمیر کولر'",
        description="''",
        created_at=T0,
        updated_at=T0,
        contact_id=ids["contact"],
        conversation_id=ids["conversation"],
        assignee_id=ids["user"],
        team_id=ids["team"],
    )
    ids["call"] = await _insert(
        "call",
        external_id="'pbx-77'",
        direction="'in'",
        number="'+989121234567'",
        status="'missed'",
        outcome="''",
        cause="'noAnswer'",
        notes="''",
        duration_seconds=0,
        created_at=T0,
        contact_id=ids["contact"],
        user_id=ids["user"],
    )
    ids["task"] = await _insert(
        "task",
        title="'تماس با مشتری'",
        kind="'callback'",
        created_at=T0,
        call_id=ids["call"],
        case_id=ids["case"],
        contact_id=ids["contact"],
        owner_id=ids["user"],
        team_id=ids["team"],
    )
    return ids


async def test_a_database_made_by_the_first_migration_upgrades_to_the_latest_with_its_data_kept(
    fresh_db_url: str,
) -> None:
    async with TortoiseContext():
        await migrate_api(config=tortoise_config(fresh_db_url), target=FIRST)
        await Tortoise.close_connections()
        async with orm_on(fresh_db_url):
            ids = await _fill_first_schema()
        await migrate(fresh_db_url)
        async with orm_on(fresh_db_url):
            contact = await Contact.get(id=ids["contact"]).prefetch_related("account", "owner", "team")
            assert contact.display_name == "علي كريمي"
            assert contact.account.name == "شرکت سرماآفرین"
            assert contact.owner.username == "sara"
            assert contact.team.name == "پشتیبانی فنی"
            identity = await ContactIdentity.get(id=ids["identity"])
            assert (identity.kind, identity.value, identity.contact_id) == ("phone", "+989121234567", contact.id)
            conversation = await Conversation.get(id=ids["conversation"])
            assert (conversation.contact_id, conversation.assignee_id) == (contact.id, ids["user"])
            assert conversation.labels == ["کولر"]
            message = await Message.get(id=ids["message"])
            assert (message.text, message.external_id, message.conversation_id) == (
                "کولر گازی سرد نمی‌کند",
                "kn-1001",
                conversation.id,
            )
            case = await Case.get(id=ids["case"])
            assert (case.number, case.contact_id, case.conversation_id) == ("1403-00042", contact.id, conversation.id)
            call = await Call.get(id=ids["call"])
            assert (call.external_id, call.status, call.contact_id, call.user_id) == (
                "pbx-77",
                "missed",
                contact.id,
                ids["user"],
            )
            task = await Task.get(id=ids["task"])
            assert (task.call_id, task.case_id, task.team_id) == (call.id, case.id, ids["team"])
            user = await User.get(id=ids["user"])
            assert (user.team_id, user.extension) == (ids["team"], "201")
            # The upgraded schema takes new rows through the current models.
            team = await Team.create(name="فروش")
            assert team.id != ids["team"]


async def _live_columns(table: str) -> set[str]:
    conn = get_connection("default")
    if backend() == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT column_name AS name FROM information_schema.columns "
            f"WHERE table_schema = current_schema() AND table_name = '{table}'"
        )
    else:
        rows = await conn.execute_query_dict(f'PRAGMA table_info("{table}")')
    return {r["name"] for r in rows}


async def test_every_field_of_every_model_has_a_column_after_migrating_to_the_latest(fresh_db_url: str) -> None:
    async with TortoiseContext():
        await migrate(fresh_db_url)
        async with orm_on(fresh_db_url):
            assert Tortoise.apps is not None
            models = list(Tortoise.apps[MODELS_APP].values())
            assert len(models) >= 20
            missing: dict[str, set[str]] = {}
            for model in models:
                table = model._meta.db_table
                wanted = set(model._meta.fields_db_projection.values())
                lost = wanted - await _live_columns(table)
                if lost:
                    missing[f"{model.__name__} ({table})"] = lost
                for m2m in model._meta.m2m_fields:
                    through = model._meta.fields_map[m2m].through
                    assert await _live_columns(through), f"{model.__name__}.{m2m}: table {through} missing"
            assert not missing, f"columns the models expect but the migrated database lacks: {missing}"
            # Foreign keys in particular (the autodetector's blind spot): each one is a real column.
            fk_columns = {
                (model._meta.db_table, model._meta.fields_db_projection[model._meta.fields_map[fk].source_field])
                for model in models
                for fk in model._meta.fk_fields
            }
            assert ("contact", "account_id") in fk_columns
            assert ("staff_user", "team_id") in fk_columns
