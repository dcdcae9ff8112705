"""Merging duplicate contacts keeps every message, identity, case, lead, call and task (INB-2)."""

from __future__ import annotations

import pytest

from core.access import get_contact_for
from core.actions.calls import log_call
from core.actions.cases import open_case_from_conversation, open_lead_from_conversation
from core.actions.contacts import create_contact, find_contact_by_identity, merge_contacts
from core.actions.conversations import link_contact
from core.actions.inbox import ingest_message
from core.actions.staff import create_user
from core.errors import ValidationError
from core.models import (
    AuditLog,
    Call,
    Case,
    Contact,
    ContactIdentity,
    Conversation,
    IdentityKind,
    Lead,
    Message,
    Role,
    Task,
)
from core.models.enums import CallDirection
from core.queries import contact_timeline, search_contacts
from tests.support.inbound import email, sms, telegram


async def test_merging_keeps_every_message_identity_and_case(db: str) -> None:
    manager = await create_user("boss", "a-long-password", role=Role.MANAGER)
    by_telegram = await ingest_message(telegram(4001, "سلام از تلگرام", sender_name="کیان"))
    await ingest_message(telegram(4001, "عکس دستگاه"))
    by_sms = await ingest_message(sms("09121234567", "سلام از پیامک"))
    by_mail = await ingest_message(email("kian@customer.example", "فاکتور"))
    keep, gone = by_telegram.contact.id, by_sms.contact.id
    await merge_contacts(keep, by_mail.contact.id, by=manager)
    case = await open_case_from_conversation(by_sms.conversation.id, by=manager)
    lead = await open_lead_from_conversation(by_sms.conversation.id, by=manager)
    call = await log_call(direction=CallDirection.IN, number="09121234567", by=manager, follow_up="تماس مجدد")
    messages_before = await Message.all().count()

    kept = await merge_contacts(keep, gone, by=manager)

    assert kept.id == keep
    assert await Message.all().count() == messages_before == 4
    assert set(await Conversation.all().values_list("contact_id", flat=True)) == {keep}
    identities = await ContactIdentity.filter(contact_id=keep).values_list("kind", "value")
    assert sorted(identities) == sorted(
        [
            (IdentityKind.TELEGRAM, "4001"),
            (IdentityKind.PHONE, "+989121234567"),
            (IdentityKind.EMAIL, "kian@customer.example"),
        ]
    )
    assert (await Case.get(id=case.id)).contact_id == keep
    assert (await Lead.get(id=lead.id)).contact_id == keep
    assert (await Call.get(id=call.id)).contact_id == keep
    assert await Task.filter(contact_id=keep).count() == 1
    merged = await Contact.get(id=gone)
    assert merged.merged_into_id == keep
    assert await ContactIdentity.filter(contact_id=gone).count() == 0
    kinds = {i.kind for i in await contact_timeline(keep, user=manager)}
    assert {"message", "case", "lead", "call", "task"} <= kinds
    audit = await AuditLog.filter(action="contact.merge", object_id=str(keep)).order_by("-id").first()
    assert audit is not None and audit.changes["merged_id"] == gone and audit.user_id == manager.id


async def test_a_merged_contact_is_hidden_and_its_identities_find_the_kept_one(db: str) -> None:
    manager = await create_user("boss", "a-long-password", role=Role.MANAGER)
    keep = await create_contact("علی رضایی", identities=[(IdentityKind.PHONE, "09121234567")])
    gone = await create_contact("علي رضايي", identities=[(IdentityKind.PHONE, "09351112233")])
    await merge_contacts(keep.id, gone.id, by=manager)
    rows, total = await search_contacts("علی", user=manager)
    assert [c.id for c in rows] == [keep.id] and total == 1
    found = await find_contact_by_identity(IdentityKind.PHONE, "۰۹۳۵ ۱۱۱ ۲۲۳۳")
    assert found is not None and found.id == keep.id
    assert (await get_contact_for(manager, gone.id)).id == keep.id


async def test_the_kept_contact_fills_its_blanks_from_the_merged_one(db: str) -> None:
    keep = await create_contact("کیان", identities=[(IdentityKind.PHONE, "09121234567")])
    gone = await create_contact("کیان مقدم", identities=[(IdentityKind.PHONE, "09351112233")], notes="مشتری عمده")
    await Contact.filter(id=gone.id).update(sms_opt_out=True, segment="عمده")
    kept = await merge_contacts(keep.id, gone.id, by=None)
    assert kept.display_name == "کیان" and kept.notes == "مشتری عمده"
    assert kept.sms_opt_out and kept.segment == "عمده"


async def test_a_contact_cannot_be_merged_into_itself_or_twice(db: str) -> None:
    one = await create_contact("یک")
    two = await create_contact("دو")
    with pytest.raises(ValidationError, match="itself"):
        await merge_contacts(one.id, one.id, by=None)
    await merge_contacts(one.id, two.id, by=None)
    with pytest.raises(ValidationError, match="already merged"):
        await merge_contacts(one.id, two.id, by=None)


async def test_contacts_merged_earlier_follow_along_to_the_new_keeper(db: str) -> None:
    a = await create_contact("الف")
    b = await create_contact("ب")
    c = await create_contact("ج")
    await merge_contacts(b.id, c.id, by=None)
    await merge_contacts(a.id, b.id, by=None)
    assert (await Contact.get(id=c.id)).merged_into_id == a.id


async def test_linking_a_conversation_to_a_known_contact_folds_in_the_empty_stand_in(db: str) -> None:
    known = await create_contact("مریم احمدی", identities=[(IdentityKind.PHONE, "09121234567")])
    stranger = await ingest_message(telegram(4002, "سلام، مریم هستم"))
    await link_contact(stranger.conversation.id, known.id, by=None)
    assert (await Conversation.get(id=stranger.conversation.id)).contact_id == known.id
    assert (await Contact.get(id=stranger.contact.id)).merged_into_id == known.id
    again = await ingest_message(telegram(4002, "پیام بعدی"))
    assert again.contact.id == known.id


async def test_linking_leaves_a_stand_in_that_has_other_history_alone(db: str) -> None:
    known = await create_contact("مریم احمدی")
    stranger = await ingest_message(telegram(4003, "سلام"))
    other = await ingest_message(sms("09121234567", "پیام دیگر"))
    await merge_contacts(stranger.contact.id, other.contact.id, by=None)
    await link_contact(stranger.conversation.id, known.id, by=None)
    assert (await Contact.get(id=stranger.contact.id)).merged_into_id is None
