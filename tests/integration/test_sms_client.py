"""The async Kavenegar client against the fake over loopback: formats, error classes, a masked API key."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import AsyncIterator

import aiohttp
import pytest

from channels.base import HoldQueue, PermanentSendError, TransientSendError
from channels.kavenegar_client import KavenegarClient, KavenegarHold
from tests.support.fake_kavenegar import FakeKavenegar


@pytest.fixture
async def fake() -> AsyncIterator[FakeKavenegar]:
    server = FakeKavenegar()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def client_for(fake: FakeKavenegar, session: aiohttp.ClientSession, key: str | None = None) -> KavenegarClient:
    return KavenegarClient(session, key or fake.api_key, base_url=fake.url, timeout=0.5)


async def test_send_posts_kavenegars_form_fields_to_the_api_key_url(
    fake: FakeKavenegar, session: aiohttp.ClientSession
) -> None:
    sent = await client_for(fake, session).send("09121234567", "سلام ۱۲۳", sender="30004505", localid="42")
    [request] = fake.requests
    assert (request.method, request.api_key) == ("send", fake.api_key)
    assert request.fields == {"receptor": "09121234567", "message": "سلام ۱۲۳", "sender": "30004505", "localid": "42"}
    assert (sent.messageid, sent.status, sent.receptor, sent.cost) == ("8792343", 1, "09121234567", 120)


async def test_sends_reuse_one_connection(fake: FakeKavenegar, session: aiohttp.ClientSession) -> None:
    client = client_for(fake, session)
    for localid in ("1", "2", "3"):
        await client.send("09121234567", "سلام", localid=localid)
    assert len({r.peer for r in fake.requests}) == 1


async def test_sendarray_sends_json_arrays_with_our_localids(
    fake: FakeKavenegar, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    sent = await client.sendarray(
        ["09121234567", "09351112233"], ["پیام اول", "پیام دوم"], ["3000", "3000"], ["7", "8"]
    )
    [request] = fake.requests
    assert request.method == "sendarray"
    assert json.loads(request.fields["receptor"]) == ["09121234567", "09351112233"]
    assert json.loads(request.fields["message"]) == ["پیام اول", "پیام دوم"]
    assert "پیام اول" in request.fields["message"]  # sent as UTF-8, not \\u escapes
    assert json.loads(request.fields["sender"]) == ["3000", "3000"]
    assert json.loads(request.fields["localmessageids"]) == ["7", "8"]
    assert [s.receptor for s in sent] == ["09121234567", "09351112233"]


async def test_sendarray_refuses_more_than_200_messages_before_calling(
    fake: FakeKavenegar, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ValueError, match="1 to 200"):
        await client_for(fake, session).sendarray(["09121234567"] * 201, ["x"] * 201, ["3000"] * 201)
    assert fake.requests == []


async def test_status_by_localid_tells_accepted_sends_from_unknown_ones(
    fake: FakeKavenegar, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    sent = await client.send("09121234567", "سلام", localid="501")
    found = await client.status_by_localid(["501", "502"])
    assert (found["501"].messageid, found["501"].status) == (sent.messageid, 1)
    assert (found["502"].messageid, found["502"].status) == (None, 100)
    assert fake.calls("statuslocalmessageid")[0].fields == {"localid": "501,502"}


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TransientSendError),
        (502, TransientSendError),
        (409, TransientSendError),
        (411, PermanentSendError),
        (412, PermanentSendError),
        (414, PermanentSendError),
        (422, PermanentSendError),
        (418, HoldQueue),
    ],
)
async def test_kavenegar_errors_map_to_retry_fail_or_hold(
    fake: FakeKavenegar, session: aiohttp.ClientSession, status: int, error: type[Exception]
) -> None:
    fake.fail(status, times=1)
    with pytest.raises(error) as caught:
        await client_for(fake, session).send("09121234567", "سلام", localid="9")
    assert getattr(caught.value, "status", None) == status
    assert str(status) in str(caught.value)


async def test_timeouts_and_refused_connections_are_retried(
    fake: FakeKavenegar, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    fake.slow = 1.0
    with pytest.raises(TransientSendError, match=r"no answer within 0\.5s"):
        await client.send("09121234567", "سلام", localid="10")
    fake.recover()
    await fake.stop()
    with pytest.raises(TransientSendError, match="Cannot connect"):
        await client.send("09121234567", "سلام", localid="11")


async def test_the_api_key_never_appears_in_logs_or_error_texts(
    fake: FakeKavenegar, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(fake, session)
    errors: list[Exception] = []

    async def attempt(c: KavenegarClient = client) -> None:
        try:
            await c.send("09121234567", "سلام", localid="77")
        except Exception as exc:
            errors.append(exc)

    for status in (500, 409, 411, 418):
        fake.fail(status, times=1)
        await attempt()
    fake.slow = 1.0
    await attempt()
    fake.recover()
    fake.lose_responses = 1
    await attempt()
    wrong_key = "0000WRONG0000KEY0000"
    await attempt(client_for(fake, session, wrong_key))  # Kavenegar answers 403: the URL had our key in it
    await fake.stop()
    await attempt()
    assert len(errors) == 8
    assert isinstance(errors[6], KavenegarHold)  # a rejected key holds the queue for an admin
    texts = [caplog.text, repr(client)]
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for text in texts:
        assert fake.api_key not in text and wrong_key not in text
    assert "***" in repr(client)
