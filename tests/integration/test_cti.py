"""The PBX webhook over real HTTP: `python run.py` serves POST /hooks/cti/{token} on loopback and
the recorded calls and call-back tasks are read from its database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from admin.app import create_app
from core.actions.cti import CALLBACK_KIND, handle_cti_event
from core.actions.staff import issue_token
from core.config import Settings
from core.cti import CtiEvent
from core.models import Call, InboundReceipt, Role, Task, Team, User
from core.models.enums import CallDirection, CallStatus
from tests.support.databases import create_database, drop_database
from tests.support.orm import orm_on
from tests.support.seed import seed_contact, seed_user
from tests.support.service import RunningService, free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cti"
TOKEN = "pbx-7f3a9c2e41d8"
ALI_PHONE = "+989121234567"


def sequence(name: str, call_id: str | None = None) -> list[dict[str, Any]]:
    """A fixture's events, optionally moved to another callId so tests do not share calls."""
    events = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [{**e, "callId": call_id} if call_id else e for e in events]


class Pbx:
    """The running service plus its database, as the PBX and the test see them."""

    def __init__(self, service: RunningService, db_url: str, token: str) -> None:
        self.service = service
        self.db_url = db_url
        self.token = token

    async def api(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession(headers=headers) as session, session.get(self.service.url + path) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def post(self, event: dict[str, Any], encoding: str = "json", token: str = TOKEN) -> tuple[int, Any]:
        url = f"{self.service.url}/hooks/cti/{token}"
        async with aiohttp.ClientSession() as session:
            if encoding == "json":
                request = session.post(url, json=event)
            else:
                form = aiohttp.FormData(quote_fields=False)
                for key, value in event.items():
                    for item in value if isinstance(value, list) else [value]:
                        form.add_field("user[]" if isinstance(value, list) else key, item)
                if encoding == "multipart":
                    form.add_field("note", b"", filename="empty.txt")  # forces multipart/form-data
                request = session.post(url, data=form)
            async with request as resp:
                return resp.status, await resp.json(content_type=None)

    async def post_raw(self, body: bytes, content_type: str) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as session:
            url = f"{self.service.url}/hooks/cti/{TOKEN}"
            async with session.post(url, data=body, headers={"Content-Type": content_type}) as resp:
                return resp.status, await resp.json(content_type=None)

    async def play(self, events: list[dict[str, Any]], encoding: str = "json") -> None:
        for event in events:
            status, body = await self.post(event, encoding)
            assert (status, body) == (200, {}), (event, body)


@pytest.fixture(scope="module")
async def pbx(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pbx]:
    """One service for the module (each test uses its own callIds), with staff and a contact seeded."""
    workdir = tmp_path_factory.mktemp("cti")
    url = await create_database(workdir)
    env = {"PEYK_DATABASE_URL": url, "PEYK_DATA_DIR": str(workdir / "data"), "PEYK_CTI_TOKEN": TOKEN}
    service = RunningService(env, workdir)
    await service.start()
    try:
        async with orm_on(url):
            center = await Team.create(name="مرکز تماس")
            sales = await Team.create(name="فروش")
            await seed_user("sara", "سارا احمدی", team=center, extension="201", phone="0912 111 0000")
            token = await issue_token(await seed_user("mahnaz", "مهناز تهرانی", role=Role.MANAGER))
            await seed_user("reza", "رضا محمدی", team=center, extension="202")
            await seed_user("nima", "نیما رستگار", team=sales, extension="301")
            await seed_contact("علي كريمي", "۰۹۱۲-۱۲۳-۴۵۶۷", team=sales)
        yield Pbx(service, url, token)
    finally:
        assert await service.stop() == 0
        await drop_database(url)


async def _call(pbx: Pbx, call_id: str) -> tuple[Call, list[Task]]:
    async with orm_on(pbx.db_url):
        call = await Call.get(external_id=call_id).prefetch_related("contact", "user")
        tasks = await Task.filter(call_id=call.id).prefetch_related("team").order_by("id")
        return call, tasks


async def test_a_missed_inbound_call_becomes_a_missed_call_with_a_call_back_task_for_the_team(pbx: Pbx) -> None:
    events = sequence("missed_no_answer.json")
    await pbx.play(events)
    call, tasks = await _call(pbx, events[0]["callId"])
    assert (call.status, call.direction, call.cause) == (CallStatus.MISSED, CallDirection.IN, "noAnswer")
    assert call.contact.display_name == "علي كريمي"
    assert call.number == ALI_PHONE
    assert call.answered_at is None and call.duration_seconds == 0
    assert call.started_at is not None and call.ended_at is not None and call.started_at <= call.ended_at
    assert len(tasks) == 1
    task = tasks[0]
    assert (task.kind, task.contact_id, task.done_at) == (CALLBACK_KIND, call.contact.id, None)
    assert task.team.name == "مرکز تماس"  # the team the call rang for, not the contact's sales team
    assert "علي كريمي" in task.title and "۰۹۱۲" in task.title
    assert task.due_at is not None and task.due_at > call.ended_at
    timeline = await pbx.api(f"/api/v1/contacts/{call.contact.id}/timeline")
    assert any(i["kind"] == "call" and i["object_id"] == call.id for i in timeline["items"]), timeline


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
async def test_an_answered_call_records_its_agent_and_its_duration_from_any_body_encoding(
    pbx: Pbx, encoding: str
) -> None:
    call_id = f"answered-{encoding}-7d2b61aa"
    await pbx.play(sequence("answered_inbound.json", call_id), encoding)
    call, tasks = await _call(pbx, call_id)
    assert call.status == CallStatus.COMPLETED
    assert call.cause == "normalClearing"
    assert call.user.username == "sara"  # answeringNumber 201 is her extension
    assert call.contact.display_name == "علي كريمي"
    assert call.answered_at is not None and call.ended_at is not None
    assert call.started_at <= call.answered_at <= call.ended_at
    assert call.duration_seconds == round((call.ended_at - call.answered_at).total_seconds())
    assert tasks == []


async def test_repeated_events_store_one_call_and_one_call_back_task(pbx: Pbx) -> None:
    new_call, hangup = sequence("missed_no_answer.json", "repeated-b51e0c")
    await pbx.play([new_call, new_call, hangup, new_call, hangup, hangup])
    call, tasks = await _call(pbx, "repeated-b51e0c")
    assert call.status == CallStatus.MISSED
    assert len(tasks) == 1
    async with orm_on(pbx.db_url):
        assert await Call.filter(external_id="repeated-b51e0c").count() == 1
        assert await InboundReceipt.filter(channel="cti", key__startswith="repeated-b51e0c:").count() == 2


async def test_the_same_events_delivered_concurrently_store_one_call_and_one_call_back_task(pbx: Pbx) -> None:
    new_call, hangup = sequence("missed_no_answer.json", "concurrent-5a0f")
    answers = await asyncio.gather(*(pbx.post(e) for e in [new_call] * 8 + [hangup] * 8))
    assert all(a == (200, {}) for a in answers), answers
    call, tasks = await _call(pbx, "concurrent-5a0f")
    assert call.status == CallStatus.MISSED
    assert len(tasks) == 1


async def test_events_out_of_order_end_in_the_same_answered_call(pbx: Pbx) -> None:
    new_call, answer, hangup = sequence("answered_inbound.json", "out-of-order-93ad")
    await pbx.play([hangup, answer, new_call])
    call, tasks = await _call(pbx, "out-of-order-93ad")
    assert call.status == CallStatus.COMPLETED
    assert call.user.username == "sara"
    assert call.contact.display_name == "علي كريمي"
    assert call.started_at <= call.answered_at <= call.ended_at
    # The hangup came first and looked like a missed call; the late answer closed its call-back.
    assert all(t.done_at is not None for t in tasks)


async def test_a_hangup_before_its_new_call_still_makes_one_missed_call(pbx: Pbx) -> None:
    new_call, hangup = sequence("missed_no_answer.json", "hangup-first-44c1")
    await pbx.play([hangup, new_call])
    call, tasks = await _call(pbx, "hangup-first-44c1")
    assert call.status == CallStatus.MISSED
    assert call.started_at <= call.ended_at
    assert [t.done_at for t in tasks] == [None]


async def test_an_unanswered_outbound_call_is_missed_without_a_call_back(pbx: Pbx) -> None:
    events = sequence("outbound_busy.json")
    await pbx.play(events, "form")
    call, tasks = await _call(pbx, events[0]["callId"])
    assert (call.status, call.direction, call.cause) == (CallStatus.MISSED, CallDirection.OUT, "busy")
    assert call.user.username == "sara"  # the calling agent named in `user`
    assert call.contact.display_name == "علي كريمي"  # found from ۰۹۱۲… in Persian digits
    assert tasks == []


async def test_a_missed_call_from_an_unknown_number_gets_a_call_back_task_naming_the_number(pbx: Pbx) -> None:
    events = sequence("unknown_caller_cancel.json")
    await pbx.play(events)
    call, tasks = await _call(pbx, events[0]["callId"])
    assert (call.status, call.contact, call.number) == (CallStatus.MISSED, None, "+989351112233")
    assert len(tasks) == 1 and "۰۹۳۵" in tasks[0].title


async def test_a_wrong_or_missing_token_gets_403_and_stores_nothing(pbx: Pbx) -> None:
    event = sequence("missed_no_answer.json", "wrong-token-1")[0]
    assert (await pbx.post(event, token="pbx-7f3a9c2e41d9"))[0] == 403
    assert (await pbx.post(event, token="x"))[0] == 403
    assert (await pbx.post(event, "form", token=TOKEN.upper()))[0] == 403
    async with orm_on(pbx.db_url):
        assert not await Call.exists(external_id="wrong-token-1")
        assert not await InboundReceipt.exists(key__startswith="wrong-token-1:")


async def test_malformed_events_get_400_with_a_reason_and_the_service_keeps_serving(pbx: Pbx) -> None:
    for case in json.loads((FIXTURES / "malformed.json").read_text(encoding="utf-8")):
        status, body = await pbx.post_raw(case["body"].encode(), "application/json")
        assert status == 400, case
        assert case["reason"] in body["error"], (case, body)
    bad_forms = [
        (b"event=newCall&direction=in", "callId is required"),
        (b"event=newCall&callId=a&callId=b", "given twice"),
        (b"\xff\xfe\x00garbage", "neither JSON nor form"),
    ]
    for body_bytes, reason in bad_forms:
        ctype = "application/x-www-form-urlencoded" if body_bytes.startswith(b"event") else "text/plain"
        status, body = await pbx.post_raw(body_bytes, ctype)
        assert status == 400 and reason in body["error"], body
    assert pbx.service.proc is not None and pbx.service.proc.returncode is None
    events = sequence("missed_no_answer.json", "after-garbage-2")
    await pbx.play(events)
    call, _ = await _call(pbx, "after-garbage-2")
    assert call.status == CallStatus.MISSED


async def test_the_cti_hook_is_404_when_no_cti_token_is_configured(db: str) -> None:
    runner = web.AppRunner(create_app(Settings(database_url=db, cti_token=None)), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as session:
            event = sequence("missed_no_answer.json")[0]
            async with session.post(f"http://127.0.0.1:{port}/hooks/cti/anything", json=event) as resp:
                assert resp.status == 404
                assert "PEYK_CTI_TOKEN" in (await resp.json())["error"]
    finally:
        await runner.cleanup()
    assert await Call.all().count() == 0


async def test_the_duration_runs_from_answer_to_hangup(db: str) -> None:
    agent = await seed_user("maryam", "مریم کاظمی", extension="205")
    t0 = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)

    def event(name: str, **extra: Any) -> CtiEvent:
        return CtiEvent(event=name, call_id="dur-1", direction=CallDirection.IN, from_number="09121234567", **extra)

    await handle_cti_event(event("newCall"), at=t0)
    await handle_cti_event(event("answer", answering_number="205"), at=t0 + timedelta(seconds=12))
    call = await handle_cti_event(event("hangup", cause="normalClearing"), at=t0 + timedelta(seconds=12 + 205))
    assert (call.status, call.duration_seconds, call.user_id) == (CallStatus.COMPLETED, 205, agent.id)
    assert call.started_at == t0
    assert await User.filter(id=agent.id).exists()


async def test_a_stray_answer_after_a_no_answer_hangup_leaves_the_call_missed(db: str) -> None:
    t0 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    base = {"call_id": "stray-1", "direction": CallDirection.IN, "from_number": "09121234567"}
    await handle_cti_event(CtiEvent(event="newCall", **base), at=t0)
    await handle_cti_event(CtiEvent(event="hangup", cause="noAnswer", **base), at=t0 + timedelta(seconds=30))
    call = await handle_cti_event(CtiEvent(event="answer", **base), at=t0 + timedelta(seconds=31))
    assert (call.status, call.answered_at) == (CallStatus.MISSED, None)
    assert await Task.filter(call_id=call.id, kind=CALLBACK_KIND, done_at=None).count() == 1
