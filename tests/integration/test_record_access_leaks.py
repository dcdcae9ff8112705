"""Record access around the conversation pages (PLT-4): the contact page, its timeline, call logging, contact create.

One customer, «نسرین کاظمی», wrote once on Telegram into the unrouted pool (so every agent may open
her contact) and is otherwise served by team ب: an SMS conversation with an internal note, a case,
a lead, a follow-up task and a call. An agent of team الف must see only what they may open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from core.actions.calls import log_call
from core.actions.cases import open_case, open_lead
from core.actions.contacts import create_contact
from core.actions.conversations import assign
from core.actions.inbox import ingest_message
from core.actions.outbox import send_reply
from core.actions.teams import create_team
from core.models import Call, Contact, Conversation, IdentityKind, Message, Role, User
from core.models.enums import CallDirection
from core.text import to_persian_digits
from tests.support.api import ApiClient, ApiServer, api, staff
from tests.support.inbound import sms, telegram
from tests.support.web import WebBrowser

__all__ = ["api"]

PHONE = "09127770011"
POOL_TEXT = "سلام، قیمت کولر ۲۴ هزار چند است؟"
THEIR_TEXT = "پیامک درباره‌ی اقساط عقب‌افتاده"
THEIR_NOTE = "یادداشت داخلی: مشتری بدحساب است"
THEIR_CASE = "نشت گاز کولر طبقه‌ی دوم"
THEIR_LEAD = "خرید ده دستگاه برای فروشگاه"
THEIR_TASK = "تماس برای تسویه‌ی چک برگشتی"
THEIR_CALL = "قول پرداخت تا آخر ماه"
HIDDEN_TEXTS = (THEIR_TEXT, THEIR_NOTE, THEIR_CASE, THEIR_LEAD, THEIR_TASK, THEIR_CALL)


@dataclass
class Customer:
    """The customer, her pool conversation and team ب's records about her, and the staff who look at them."""

    api: ApiServer
    contact: Contact
    pool: Conversation
    pool_message: Message
    theirs: Conversation
    agent_a: User
    agent_b: User
    manager: User
    tokens: dict[str, str]
    hidden: set[tuple[str, int]]

    def client(self, username: str) -> ApiClient:
        return self.api.client(self.tokens[username])

    async def browser(self, username: str) -> WebBrowser:
        browser = WebBrowser(self.api.url)
        status, _ = await browser.sign_in(username)
        assert status == 302, f"{username} could not sign in"
        return browser


@pytest.fixture
async def customer(api: ApiServer) -> AsyncIterator[Customer]:
    team_a, team_b = await create_team("پشتیبانی الف"), await create_team("فروش ب")
    agent_a, token_a = await staff("agent_a", team=team_a)
    agent_b, token_b = await staff("agent_b", team=team_b)
    manager, token_m = await staff("manager", role=Role.MANAGER)
    contact = await create_contact(
        "نسرین کاظمی", identities=[(IdentityKind.PHONE, PHONE), (IdentityKind.TELEGRAM, "7770011")]
    )
    pool = (await ingest_message(telegram(7770011, POOL_TEXT))).conversation
    theirs = (await ingest_message(sms(PHONE, THEIR_TEXT))).conversation
    await assign(theirs.id, by=None, team_id=team_b.id)
    note = await send_reply(theirs.id, THEIR_NOTE, by=agent_b, internal=True)
    case = await open_case(contact_id=contact.id, by=agent_b, subject=THEIR_CASE)
    lead = await open_lead(contact_id=contact.id, by=agent_b, title=THEIR_LEAD)
    call = await log_call(direction=CallDirection.OUT, number=PHONE, by=agent_b, notes=THEIR_CALL, follow_up=THEIR_TASK)
    their_message = await Message.get(conversation_id=theirs.id, internal=False)
    task = await call.tasks.all().first()  # type: ignore[attr-defined]
    assert task is not None and pool.contact_id == theirs.contact_id == contact.id
    hidden = {
        ("message", their_message.id),
        ("note", note.id),
        ("case", case.id),
        ("lead", lead.id),
        ("call", call.id),
        ("task", task.id),
    }
    yield Customer(
        api=api,
        contact=contact,
        pool=pool,
        pool_message=await Message.get(conversation_id=pool.id),
        theirs=theirs,
        agent_a=agent_a,
        agent_b=agent_b,
        manager=manager,
        tokens={"agent_a": token_a, "agent_b": token_b, "manager": token_m},
        hidden=hidden,
    )


async def test_the_timeline_api_lists_for_each_viewer_only_items_of_records_they_may_open(customer: Customer) -> None:
    agent = customer.client("agent_a")
    assert (await agent.get(f"/api/v1/contacts/{customer.contact.id}")).status == 200
    assert (await agent.get(f"/api/v1/conversations/{customer.theirs.id}")).status == 403
    response = await agent.get(f"/api/v1/contacts/{customer.contact.id}/timeline")
    assert response.status == 200, response
    assert {(i["kind"], i["object_id"]) for i in response.body["items"]} == {("message", customer.pool_message.id)}
    assert response.body["total"] == 1
    assert [text for text in HIDDEN_TEXTS if text in response.text] == []
    for who in ("agent_b", "manager"):  # the team that serves her, and a manager, still see every item
        seen = await customer.client(who).get(f"/api/v1/contacts/{customer.contact.id}/timeline")
        assert customer.hidden <= {(i["kind"], i["object_id"]) for i in seen.body["items"]}, who


async def test_the_contact_page_shows_the_agent_neither_messages_notes_nor_records_of_team_b(
    customer: Customer,
) -> None:
    agent, manager = await customer.browser("agent_a"), await customer.browser("manager")
    try:
        status, page = await agent.get(f"/admin/contacts/{customer.contact.id}")
        assert status == 200
        assert POOL_TEXT in page and f"/admin/conversations/{customer.pool.id}" in page
        assert [text for text in HIDDEN_TEXTS if text in page] == []
        assert f"/admin/conversations/{customer.theirs.id}" not in page
        _, everything = await manager.get(f"/admin/contacts/{customer.contact.id}")
        assert [text for text in (THEIR_TEXT, THEIR_NOTE, THEIR_CASE) if text not in everything] == []
    finally:
        await agent.close()
        await manager.close()


async def test_the_call_desk_shows_the_agent_none_of_team_bs_records_of_the_caller(customer: Customer) -> None:
    browser = await customer.browser("agent_a")
    try:
        status, page = await browser.get(f"/admin/calldesk?number={PHONE}")
        assert status == 200 and "نسرین کاظمی" in page
        assert [text for text in HIDDEN_TEXTS if text in page] == []
    finally:
        await browser.close()


async def test_logging_a_call_with_another_teams_customers_number_grants_no_access(api: ApiServer) -> None:
    team_a, team_b = await create_team("پشتیبانی الف"), await create_team("فروش ب")
    _, token_a = await staff("agent_a", team=team_a)
    agent_b, _ = await staff("agent_b", team=team_b)
    contact = await create_contact("بهرام نیک‌نام", identities=[(IdentityKind.PHONE, PHONE)], by=agent_b)
    agent = api.client(token_a)
    assert (await agent.get(f"/api/v1/contacts/{contact.id}")).status == 403
    logged = await agent.post(
        "/api/v1/calls", {"direction": "in", "number": "۰۹۱۲ ۷۷۷ ۰۰۱۱", "notes": "پرسید سفارشش کی می‌رسد"}
    )
    assert logged.status == 201, logged
    assert logged.body["contact_id"] is None  # not even the id of a contact the agent may not open
    assert (await Call.get(id=logged.body["id"])).contact_id == contact.id
    assert (await agent.get(f"/api/v1/contacts/{contact.id}")).status == 403
    assert (await agent.get(f"/api/v1/contacts/{contact.id}/timeline")).status == 403
    assert (await agent.get("/api/v1/contacts", q=PHONE)).body["items"] == []
    browser = WebBrowser(api.url)
    try:
        await browser.sign_in("agent_a")
        status, page = await browser.get(f"/admin/contacts/{contact.id}")
        assert status == 403 and "بهرام نیک‌نام" not in page
        _, desk = await browser.get(f"/admin/calldesk?number={PHONE}")
        assert "بهرام نیک‌نام" not in desk
    finally:
        await browser.close()


async def test_a_call_from_a_new_number_makes_a_contact_the_agent_owns(api: ApiServer) -> None:
    team_a = await create_team("پشتیبانی الف")
    agent_a, token_a = await staff("agent_a", team=team_a)
    agent = api.client(token_a)
    logged = await agent.post("/api/v1/calls", {"direction": "in", "number": "02188776655"})
    assert logged.status == 201, logged
    contact = await Contact.get(id=logged.body["contact_id"])
    assert (contact.owner_id, contact.team_id) == (agent_a.id, team_a.id)
    assert (await agent.get(f"/api/v1/contacts/{contact.id}")).status == 200


async def test_creating_a_contact_with_the_phone_of_a_hidden_contact_answers_409_naming_nothing(
    api: ApiServer,
) -> None:
    team_a, team_b = await create_team("پشتیبانی الف"), await create_team("فروش ب")
    _, token_a = await staff("agent_a", team=team_a)
    agent_b, token_b = await staff("agent_b", team=team_b)
    theirs = await create_contact("بهرام نیک‌نام", identities=[(IdentityKind.PHONE, PHONE)], by=agent_b)
    body = {"display_name": "بهرام", "identities": [{"kind": "phone", "value": "۰۹۱۲۷۷۷۰۰۱۱"}]}
    refused = await api.client(token_a).post("/api/v1/contacts", body)
    assert refused.status == 409, refused
    reason = refused.body["reason"]
    assert refused.body["error"] == "conflict" and "دسترسی ندارید" in reason
    assert str(theirs.id) not in reason and to_persian_digits(theirs.id) not in reason and "بهرام" not in reason
    assert await Contact.all().count() == 1
    # The owner's team may open the contact, so its answer names it to point at a merge.
    named = await api.client(token_b).post("/api/v1/contacts", body)
    assert named.status == 409 and to_persian_digits(theirs.id) in named.body["reason"]


async def test_adding_the_phone_of_a_hidden_contact_on_the_contact_page_does_not_suggest_a_merge(
    api: ApiServer,
) -> None:
    team_a, team_b = await create_team("پشتیبانی الف"), await create_team("فروش ب")
    agent_a, _ = await staff("agent_a", team=team_a)
    agent_b, _ = await staff("agent_b", team=team_b)
    await create_contact("بهرام نیک‌نام", identities=[(IdentityKind.PHONE, PHONE)], by=agent_b)
    mine = await create_contact("کاوه", by=agent_a)
    browser = WebBrowser(api.url)
    try:
        await browser.sign_in("agent_a")
        await browser.get(f"/admin/contacts/{mine.id}")
        await browser.post(f"/admin/contacts/{mine.id}/identities", {"kind": "phone", "value": PHONE})
        _, page = await browser.get(f"/admin/contacts/{mine.id}")
        assert "متعلق به مخاطب دیگری است که شما به آن دسترسی ندارید" in page and "«ادغام»" not in page
    finally:
        await browser.close()
