"""Contacts over the API: Persian-normalized search, identities, create, timeline and merge."""

from __future__ import annotations

import pytest

from core.actions.contacts import create_contact
from core.models import Conversation, Role, Team
from core.text import to_persian_digits
from tests.support.api import ApiClient, ApiServer, api, telegram_message

__all__ = ["api"]


@pytest.fixture
async def admin(api: ApiServer) -> ApiClient:
    return await api.client_for("admin", role=Role.ADMIN)


async def test_searching_with_arabic_letters_finds_the_persian_spelling(admin: ApiClient) -> None:
    ali = await create_contact("علی رضایی")
    kian = await create_contact("کیان مقدم")
    await create_contact("مریم احمدی")
    found = await admin.get("/api/v1/contacts", q="علي")
    assert found.status == 200, found
    assert [c["id"] for c in found.body["items"]] == [ali.id]
    assert found.body["total"] == 1
    assert found.body["items"][0]["display_name"] == "علی رضایی"
    assert [c["id"] for c in (await admin.get("/api/v1/contacts", q="كيان")).body["items"]] == [kian.id]


async def test_a_phone_typed_in_persian_digits_or_international_form_finds_the_contact(admin: ApiClient) -> None:
    maryam = await create_contact("مریم", identities=[("phone", "09121234567")])
    await create_contact("رضا", identities=[("phone", "09351112233")])
    for q in ("۰۹۱۲۱۲۳۴۵۶۷", "+98 912 123 4567", "۰۹۱۲۱۲۳"):
        response = await admin.get("/api/v1/contacts", q=q)
        assert [c["id"] for c in response.body["items"]] == [maryam.id], q


async def test_a_created_contact_is_returned_with_normalized_identities_and_can_be_read_back(
    admin: ApiClient,
) -> None:
    created = await admin.post(
        "/api/v1/contacts",
        {
            "display_name": "شرکت تهویه پارس",
            "identities": [
                {"kind": "phone", "value": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "verified": True},
                {"kind": "email", "value": "Info@Pars-Tahvieh.ir"},
            ],
        },
    )
    assert created.status == 201, created
    body = created.body
    assert body["display_name"] == "شرکت تهویه پارس"
    assert [(i["kind"], i["value"], i["verified"]) for i in body["identities"]] == [
        ("phone", "+989121234567", True),
        ("email", "info@pars-tahvieh.ir", False),
    ]
    assert body["created_at"].endswith(("Z", "+00:00"))
    read = await admin.get(f"/api/v1/contacts/{body['id']}")
    assert read.status == 200
    assert read.body == body


async def test_a_phone_that_already_belongs_to_a_contact_is_refused_with_a_reason(admin: ApiClient) -> None:
    owner = await create_contact("مریم", identities=[("phone", "09121234567")])
    response = await admin.post(
        "/api/v1/contacts", {"display_name": "دیگری", "identities": [{"kind": "phone", "value": "+989121234567"}]}
    )
    assert response.status == 409
    assert to_persian_digits(owner.id) in response.body["reason"]  # the admin may open it, so it is named


async def test_merging_through_the_api_leaves_one_contact_with_both_identities_and_every_message(
    admin: ApiClient,
) -> None:
    conversation = await telegram_message(5551, "سلام، کولر گازی خراب شده", name="کیان")
    by_phone = await create_contact("کیان مقدم", identities=[("phone", "09121234567")])
    merged = await admin.post(f"/api/v1/contacts/{by_phone.id}/merge", {"merge_id": conversation.contact_id})
    assert merged.status == 200, merged
    kinds = sorted((i["kind"], i["value"]) for i in merged.body["identities"])
    assert kinds == [("phone", "+989121234567"), ("telegram", "5551")]
    read = await admin.get(f"/api/v1/contacts/{by_phone.id}")
    assert read.body["identities"] == merged.body["identities"]
    search = await admin.get("/api/v1/contacts", q="کیان")
    assert [c["id"] for c in search.body["items"]] == [by_phone.id]
    assert (await admin.get(f"/api/v1/contacts/{conversation.contact_id}")).body["id"] == by_phone.id
    assert (await Conversation.get(id=conversation.id)).contact_id == by_phone.id
    messages = await admin.get(f"/api/v1/conversations/{conversation.id}/messages")
    assert [m["text"] for m in messages.body["items"]] == ["سلام، کولر گازی خراب شده"]


async def test_merging_a_contact_into_itself_is_refused(admin: ApiClient) -> None:
    contact = await create_contact("رضا")
    response = await admin.post(f"/api/v1/contacts/{contact.id}/merge", {"merge_id": contact.id})
    assert response.status == 400
    assert "itself" in response.body["reason"]


async def test_the_timeline_shows_the_contacts_messages(admin: ApiClient) -> None:
    conversation = await telegram_message(777, "پیگیری سفارش", name="سارا")
    await telegram_message(777, "ممنون", name="سارا", message_id=2)
    response = await admin.get(f"/api/v1/contacts/{conversation.contact_id}/timeline")
    assert response.status == 200, response
    assert response.body["total"] >= 1
    assert all(item["at"].endswith(("Z", "+00:00")) for item in response.body["items"])
    assert any(item.get("conversation_id") == conversation.id for item in response.body["items"])


async def test_lists_are_paged_with_limit_offset_and_a_total(admin: ApiClient) -> None:
    for i in range(5):
        await create_contact(f"مشتری {i}")
    response = await admin.get("/api/v1/contacts", limit="2", offset="2")
    assert response.status == 200
    assert response.body["total"] == 5
    assert (response.body["limit"], response.body["offset"]) == (2, 2)
    assert len(response.body["items"]) == 2
    rest = await admin.get("/api/v1/contacts", offset="4")
    assert len(rest.body["items"]) == 1


async def test_an_agent_of_another_team_gets_403_on_a_contact_they_cannot_see(api: ApiServer) -> None:
    sales, service = await Team.create(name="فروش"), await Team.create(name="خدمات")
    contact_conversation = await telegram_message(31, "درخواست قیمت", name="نیما")
    await Conversation.filter(id=contact_conversation.id).update(team_id=sales.id)
    outsider = await api.client_for("outsider", team=service)
    insider = await api.client_for("insider", team=sales)
    refused = await outsider.get(f"/api/v1/contacts/{contact_conversation.contact_id}")
    assert refused.status == 403
    assert refused.body["error"] == "forbidden"
    assert (await insider.get(f"/api/v1/contacts/{contact_conversation.contact_id}")).status == 200
