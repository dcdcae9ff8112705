"""Contact actions: find by identity, create, add identities, update, merge (INB-2)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.actions.merge import merge_contacts
from core.areas import Area, require_write
from core.errors import IdentityTaken, NotFound, ValidationError
from core.identities import normalize_identity
from core.inbound import InboundMessage
from core.models import Contact, ContactIdentity, IdentityKind, User
from core.phones import try_normalize_phone
from core.text import normalize_search
from core.tx import atomic

log = logging.getLogger(__name__)

__all__ = [
    "add_identity",
    "create_contact",
    "find_contact_by_identity",
    "merge_contacts",
    "sender_contact",
    "update_contact",
]

IdentityInput = tuple[IdentityKind | str, str] | tuple[IdentityKind | str, str, bool]
UPDATABLE = {"display_name", "notes", "segment", "account_id", "owner_id", "team_id", "sms_opt_out", "unreachable"}


async def find_contact_by_identity(kind: IdentityKind | str, raw_value: str) -> Contact | None:
    """The contact owning this identity (any spelling of a phone), or None."""
    try:
        value = normalize_identity(kind, raw_value, strict=False)
    except ValidationError:
        return None
    identity = await ContactIdentity.get_or_none(kind=IdentityKind(kind), value=value)
    return await _live(identity.contact_id) if identity else None


async def _live(contact_id: int) -> Contact | None:
    # Identities move on merge, but follow merged_into anyway so a stale id never shows a hidden contact.
    contact = await Contact.get_or_none(id=contact_id)
    for _ in range(10):
        if contact is None or contact.merged_into_id is None:
            return contact
        contact = await Contact.get_or_none(id=contact.merged_into_id)
    return contact


async def _check_free(kind: IdentityKind, value: str, contact_id: int | None = None) -> ContactIdentity | None:
    existing = await ContactIdentity.get_or_none(kind=kind, value=value)
    if existing is not None and existing.contact_id != contact_id:
        raise IdentityTaken(kind.value, value, existing.contact_id)
    return existing


async def create_contact(
    display_name: str,
    *,
    identities: Sequence[IdentityInput] = (),
    by: User | None = None,
    notes: str = "",
    segment: str | None = None,
) -> Contact:
    """Create a contact with identities (phones stored as E.164); an identity already in use is refused."""
    require_write(by, Area.CONTACTS)
    name = (display_name or "").strip()[:200]
    parsed: list[tuple[IdentityKind, str, str, bool]] = []
    for item in identities:
        kind, raw = IdentityKind(item[0]), item[1]
        verified = bool(item[2]) if len(item) > 2 else False
        value = normalize_identity(kind, raw)
        if all((kind, value) != (k, v) for k, v, _, _ in parsed):
            parsed.append((kind, value, raw.strip(), verified))
    if not name and not parsed:
        raise ValidationError("display_name: a contact needs a name or at least one identity")
    try:
        async with atomic() as out:
            for kind, value, _, _ in parsed:
                await _check_free(kind, value)
            contact = await Contact.create(
                display_name=name or parsed[0][2],
                name_search=normalize_search(name or parsed[0][2])[:200],
                owner=by,
                team_id=by.team_id if by else None,
                notes=notes,
                segment=segment,
            )
            for kind, value, raw, verified in parsed:
                await ContactIdentity.create(contact=contact, kind=kind, value=value, display=raw, verified=verified)
            await record(by, "contact.create", contact, display_name=contact.display_name, identities=len(parsed))
            out.emit("contact.created", contact_id=contact.id)
    except IntegrityError as exc:
        for kind, value, _, _ in parsed:
            holder = await ContactIdentity.get_or_none(kind=kind, value=value)
            if holder is not None:
                raise IdentityTaken(kind.value, value, holder.contact_id) from exc
        raise ValidationError("one of these identities was just added to another contact; search for it") from exc
    return contact


async def add_identity(
    contact_id: int, kind: IdentityKind | str, raw_value: str, *, by: User | None = None, verified: bool = False
) -> ContactIdentity:
    """Give a contact one more identity; refused when another contact already has it."""
    require_write(by, Area.CONTACTS)
    kind = IdentityKind(kind)
    value = normalize_identity(kind, raw_value)
    try:
        async with atomic() as out:
            contact = await Contact.get_or_none(id=contact_id)
            if contact is None or contact.merged_into_id is not None:
                raise NotFound(f"contact {contact_id} not found")
            identity = await _check_free(kind, value, contact.id)
            if identity is None:
                identity = await ContactIdentity.create(
                    contact=contact, kind=kind, value=value, display=raw_value.strip(), verified=verified
                )
            elif verified and not identity.verified:
                identity.verified = True
                await identity.save(update_fields=["verified"])
            await record(by, "contact.identity_add", contact, kind=kind.value, value=value, verified=verified)
            out.emit("contact.updated", contact_id=contact.id)
    except IntegrityError as exc:
        raise IdentityTaken(kind.value, value) from exc
    return identity


async def update_contact(contact_id: int, *, by: User | None, **fields: Any) -> Contact:
    """Change a contact's fields (name, notes, segment, account, owner, team, opt-out, unreachable)."""
    require_write(by, Area.CONTACTS)
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError(f"cannot change contact field(s): {', '.join(sorted(unknown))}")
    if "display_name" in fields and not str(fields["display_name"] or "").strip():
        raise ValidationError("display_name: must not be empty")
    if "unreachable" in fields and not isinstance(fields["unreachable"], list):
        raise ValidationError("unreachable: a list of channel names")
    async with atomic() as out:
        contact = await Contact.filter(id=contact_id, merged_into_id=None).select_for_update().first()
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "display_name":
                value = str(value).strip()[:200]
                contact.name_search = normalize_search(value)[:200]
            if getattr(contact, name) != value:
                changes[name] = [getattr(contact, name), value]
                setattr(contact, name, value)
        if changes:
            await contact.save()
            await record(by, "contact.update", contact, **changes)
            out.emit("contact.updated", contact_id=contact.id)
    return contact


async def sender_contact(msg: InboundMessage) -> tuple[Contact, bool]:
    """Inside the ingest transaction: the sender's contact found by identity, or a new one (and created?).

    A verified phone (Telegram shared contact) is linked to the contact too; when that phone
    already belongs to a contact and the messenger id is new, the messenger id joins that contact.
    """
    kind = IdentityKind(msg.identity_kind)
    value = normalize_identity(kind, msg.identity_value, strict=False)
    identity = await ContactIdentity.get_or_none(kind=kind, value=value)
    phone = try_normalize_phone(msg.verified_phone) if msg.verified_phone else None
    by_phone = await ContactIdentity.get_or_none(kind=IdentityKind.PHONE, value=phone) if phone else None
    created = False
    if identity is not None:
        contact = await _locked(identity.contact_id)
    elif by_phone is not None:
        contact = await _locked(by_phone.contact_id)
        await ContactIdentity.create(contact=contact, kind=kind, value=value, display=msg.identity_value.strip())
    else:
        name = (msg.sender_name or "").strip()[:200] or msg.identity_value.strip()[:200]
        contact = await Contact.create(display_name=name, name_search=normalize_search(name)[:200])
        await ContactIdentity.create(contact=contact, kind=kind, value=value, display=msg.identity_value.strip())
        created = True
    if phone:
        if by_phone is None:
            await ContactIdentity.create(
                contact=contact, kind=IdentityKind.PHONE, value=phone, display=msg.verified_phone, verified=True
            )
        elif by_phone.contact_id == contact.id and not by_phone.verified:
            by_phone.verified = True
            await by_phone.save(update_fields=["verified"])
        elif by_phone.contact_id != contact.id:
            log.info("verified phone %s belongs to contact %s, not %s", phone, by_phone.contact_id, contact.id)
    if not created and not contact.display_name and msg.sender_name.strip():
        contact.display_name = msg.sender_name.strip()[:200]
        contact.name_search = normalize_search(contact.display_name)[:200]
        await contact.save(update_fields=["display_name", "name_search", "updated_at"])
    return contact, created


async def _locked(contact_id: int) -> Contact:
    # The row lock (PostgreSQL) serializes messages of one contact, so two never open two conversations.
    # Locked and read in one query; only a merged-away contact needs the walk to the one it joined.
    contact = await Contact.filter(id=contact_id).select_for_update().first()
    if contact is not None and contact.merged_into_id is None:
        return contact
    live = await _live(contact_id)
    if live is None:
        raise NotFound(f"contact {contact_id} not found")
    return await Contact.filter(id=live.id).select_for_update().get()
