"""Kavenegar's callbacks and SMS replies end to end: `python run.py` serves the hooks, its dispatcher
sends to a fake Kavenegar on loopback, and results are read back through the API and the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from admin.app import create_app
from core.actions.staff import create_user, issue_token
from core.config import Settings
from core.models import Message, OutboundMessage, Role
from tests.support.databases import create_database, drop_database
from tests.support.fake_kavenegar import FakeKavenegar, eventually
from tests.support.orm import orm_on
from tests.support.service import RunningService

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kavenegar"
SECRET = "kv-cb-9f2c41d7e8"
LINE = "30004505"


def fields(name: str, **changes: str) -> dict[str, str]:
    return {**dict(parse_qsl((FIXTURES / name).read_text().strip(), keep_blank_values=True)), **changes}


class Sms:
    """The running service as Kavenegar and a staff client see it, plus its database."""

    def __init__(self, service: RunningService, db_url: str, fake: FakeKavenegar, token: str) -> None:
        self.service, self.db_url, self.fake, self.token = service, db_url, fake, token

    async def callback(
        self, kind: str, data: dict[str, str], *, secret: str = SECRET, method: str = "POST"
    ) -> tuple[int, Any]:
        url = f"{self.service.url}/hooks/kavenegar/{secret}/{kind}"
        async with aiohttp.ClientSession() as session:
            if method == "GET":
                request = session.get(url, params=data)
            else:
                request = session.post(url, data=data)
            async with request as resp:
                return resp.status, await resp.json(content_type=None)

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.service.url + "/api/v1" + path, json=body, headers=headers) as resp,
        ):
            assert resp.status < 300, await resp.text()
            return await resp.json()

    async def messages(self) -> list[tuple[str, str]]:
        async with orm_on(self.db_url):
            # Inbound only: the bot's replies (handlers/) change as the dispatcher sends them.
            return [(m.external_id or "", m.text) for m in await Message.filter(direction="in").order_by("id")]


@pytest.fixture(scope="module")
async def sms(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sms]:
    """One service with SMS configured against a fake Kavenegar, and an admin's API token."""
    workdir = tmp_path_factory.mktemp("sms")
    url = await create_database(workdir)
    fake = FakeKavenegar()
    await fake.start()
    env = {
        "PEYK_DATABASE_URL": url,
        "PEYK_DATA_DIR": str(workdir / "data"),
        "PEYK_KAVENEGAR_API_KEY": fake.api_key,
        "PEYK_KAVENEGAR_API_URL": fake.url,
        "PEYK_KAVENEGAR_SENDER": LINE,
        "PEYK_KAVENEGAR_CALLBACK_SECRET": SECRET,
    }
    service = RunningService(env, workdir)
    await service.start()
    try:
        async with orm_on(url):
            admin = await create_user("maryam", "a-long-password", role=Role.ADMIN, full_name="مریم کاظمی")
            token = await issue_token(admin)
        yield Sms(service, url, fake, token)
    finally:
        assert await service.stop() == 0
        assert fake.api_key not in service.log()
        await fake.stop()
        await drop_database(url)


async def test_an_inbound_sms_shows_up_as_a_message_on_the_senders_contact(sms: Sms) -> None:
    status, body = await sms.callback("inbound", fields("inbound_persian.form"))
    assert status == 200 and body["duplicate"] is False
    [conversation] = (await sms.api("GET", "/conversations?channel=sms"))["items"]
    contact = await sms.api("GET", f"/contacts/{conversation['contact_id']}")
    assert ("phone", "+989121234567") in [(i["kind"], i["value"]) for i in contact["identities"]]
    messages = (await sms.api("GET", f"/conversations/{conversation['id']}/messages"))["items"]
    assert [(m["direction"], m["channel"], m["text"]) for m in messages if m["direction"] == "in"] == [
        ("in", "sms", "سلام، سفارش شماره ۱۴۰۵ من کجاست؟")
    ]


async def test_the_same_callback_again_is_answered_ok_and_stores_nothing_new(sms: Sms) -> None:
    await sms.callback("inbound", fields("inbound_persian.form", messageid="56798500"))
    before = await sms.messages()
    status, body = await sms.callback("inbound", fields("inbound_persian.form", messageid="56798500"))
    assert (status, body["duplicate"]) == (200, True)
    assert await sms.messages() == before


@pytest.mark.parametrize("secret", ["wrong-secret", "", SECRET.upper()])
async def test_a_wrong_or_missing_secret_gets_403_and_stores_nothing(sms: Sms, secret: str) -> None:
    before = await sms.messages()
    status, body = await sms.callback("inbound", fields("inbound_persian.form", messageid="56798600"), secret=secret)
    assert (status, body) == (403, {"error": "wrong callback secret"})
    status, _ = await sms.callback("status", fields("status_delivered.form"), secret=secret)
    assert status == 403
    assert await sms.messages() == before


async def test_malformed_callbacks_get_400_with_a_reason_and_the_next_good_one_is_stored(sms: Sms) -> None:
    for name, reason in [
        ("inbound_missing_from.form", "missing field 'from'"),
        ("inbound_garbled_from.form", "field 'from' is not a phone number"),
        ("inbound_garbled_messageid.form", "field 'messageid' is not a number"),
    ]:
        status, body = await sms.callback("inbound", fields(name))
        assert status == 400 and body["error"].startswith(reason)
    status, body = await sms.callback("status", fields("status_garbled.form"))
    assert status == 400 and "status" in body["error"]
    status, _ = await sms.callback("inbound", fields("inbound_international_from.form"), method="GET")
    assert status == 200
    assert ("56798433", "Hello, is my invoice ready?") in await sms.messages()


async def test_a_staff_reply_goes_out_as_a_kavenegar_send_and_its_delivery_report_marks_it_delivered(
    sms: Sms,
) -> None:
    await sms.callback("inbound", fields("inbound_persian.form", messageid="56798700", **{"from": "09127770000"}))
    [conversation] = (await sms.api("GET", "/conversations?channel=sms&q=09127770000"))["items"]
    text = "سلام، سفارش شما فردا تحویل می‌شود."
    reply = await sms.api("POST", f"/conversations/{conversation['id']}/messages", {"text": text})
    async with orm_on(sms.db_url):
        outbox_id = (await OutboundMessage.get(message_id=reply["id"])).id
    request = await eventually(lambda: [r for r in sms.fake.calls("send") if r.fields.get("localid") == str(outbox_id)])
    assert request[0].fields == {"receptor": "09127770000", "message": text, "sender": LINE, "localid": str(outbox_id)}
    messageid = await eventually(lambda: _sent_as(sms, outbox_id))
    status, body = await sms.callback("status", {"messageid": messageid, "status": "10"}, method="GET")
    assert (status, body) == (200, {"ok": True, "found": True})
    messages = (await sms.api("GET", f"/conversations/{conversation['id']}/messages"))["items"]
    assert [m["status"] for m in messages if m["id"] == reply["id"]] == ["delivered"]


async def _sent_as(sms: Sms, outbox_id: int) -> str | None:
    async with orm_on(sms.db_url):
        row = await OutboundMessage.get(id=outbox_id)
    return row.provider_id if str(row.status) == "sent" else None


async def test_an_opt_out_sms_marks_the_number_as_opted_out(sms: Sms) -> None:
    status, _ = await sms.callback("inbound", fields("inbound_opt_out_word.form", **{"from": "09128880000"}))
    assert status == 200
    [conversation] = (await sms.api("GET", "/conversations?channel=sms&q=09128880000"))["items"]
    contact = await sms.api("GET", f"/contacts/{conversation['contact_id']}")
    assert contact["sms_opt_out"] is True


async def test_the_callbacks_answer_404_when_sms_is_not_configured(db: str, tmp_path: Path) -> None:
    server = TestServer(create_app(Settings(database_url=db, data_dir=tmp_path, secret_key="t" * 32)))
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            for kind in ("inbound", "status"):
                async with session.post(server.make_url(f"/hooks/kavenegar/{SECRET}/{kind}"), data={}) as resp:
                    assert resp.status == 404
                    assert "PEYK_KAVENEGAR_API_KEY" in (await resp.json())["error"]
    finally:
        await server.close()
    assert await Message.all().count() == 0
