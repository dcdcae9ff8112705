"""SMS-specific actions: store an inbound SMS (honouring opt-out words) and the marketing opt-out flag."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.actions.contacts import find_contact_by_identity
from core.actions.inbox import AlsoInTransaction, IngestResult, ingest_message
from core.inbound import InboundMessage
from core.models import Contact, ContactIdentity, IdentityKind
from core.phones import try_normalize_phone
from core.tx import atomic

_E164 = re.compile(r"\+[1-9]\d{7,14}")
# Outbox kinds that count as marketing: never sent to a number that opted out.
MARKETING_KINDS = frozenset({"campaign", "marketing"})


async def contact_for_phone(phone: str) -> Contact | None:
    """The contact a phone number belongs to (any spelling, following merges), or None."""
    return await find_contact_by_identity(IdentityKind.PHONE, phone)


async def set_sms_opt_out(phone: str, opted_out: bool = True) -> Contact | None:
    """Mark the contact of `phone` as opted out of (or back into) marketing SMS; None if unknown."""
    contact = await contact_for_phone(phone)
    if contact is None or contact.sms_opt_out == opted_out:
        return contact
    async with atomic() as out:
        await Contact.filter(id=contact.id).update(sms_opt_out=opted_out)
        out.emit("contact.sms_opt_out", contact_id=contact.id, opted_out=opted_out)
    contact.sms_opt_out = opted_out
    return contact


async def is_sms_opted_out(phone: str) -> bool:
    """True when the number's contact asked for no marketing SMS."""
    contact = await contact_for_phone(phone)
    return bool(contact and contact.sms_opt_out)


async def opted_out_among(phones: Iterable[str]) -> set[str]:
    """The numbers among `phones` (as given) whose contact asked for no marketing SMS, in one query."""
    by_value: dict[str, list[str]] = {}
    for phone in phones:
        # Outbox recipients are stored in E.164 already; only other spellings need the full parse.
        value = phone if _E164.fullmatch(phone) else try_normalize_phone(phone)
        if value is not None:
            by_value.setdefault(value, []).append(phone)
    if not by_value:
        return set()
    # Identities move to the surviving contact on merge, so the identity's own contact is the live one.
    values = await ContactIdentity.filter(
        kind=IdentityKind.PHONE, value__in=list(by_value), contact__sms_opt_out=True
    ).values_list("value", flat=True)
    return {given for value in values for given in by_value[str(value)]}


async def receive_sms(msg: InboundMessage, *, then: AlsoInTransaction | None = None) -> IngestResult:
    """Store an inbound SMS (deduped on Kavenegar's messageid); an opt-out word sets the flag.

    The flag is applied on repeats too, so a crash between the two steps heals on redelivery.
    """
    result = await ingest_message(msg, then=then)
    if msg.meta.get("opt_out"):
        await set_sms_opt_out(msg.identity_value)
    return result
