"""Contacts: search, read with identities, timeline, create and merge."""

from __future__ import annotations

from typing import Any

from admin.api import serializers as out
from admin.api.errors import ApiError
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schemas import obj, ref
from admin.api.spec import MAX_DB_INT, ApiCall, Param, api, path_id
from core.access import contact_q, get_contact_for
from core.actions.contacts import create_contact, merge_contacts
from core.areas import Area
from core.errors import IdentityTaken
from core.models import Contact, User
from core.models.enums import IdentityKind
from core.queries import contact_timeline, search_contacts
from core.text import to_persian_digits

IDENTITY_IN = {
    "type": "object",
    "required": ["kind", "value"],
    "properties": {
        "kind": {"type": "string", "enum": [k.value for k in IdentityKind]},
        "value": {"type": "string", "minLength": 1, "maxLength": 255, "description": "phones in any Iranian form"},
        "verified": {"type": "boolean", "default": False},
    },
    "additionalProperties": False,
}
CREATE = {
    "type": "object",
    "properties": {
        "display_name": {"type": "string", "maxLength": 200, "description": "may be empty when identities are given"},
        "identities": {"type": "array", "items": IDENTITY_IN, "maxItems": 20},
    },
    "additionalProperties": False,
}
MERGE = obj({"merge_id": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT, "description": "contact to fold in"}})
IDENTITY_NAMES = {
    "telegram": "شناسهٔ تلگرام",
    "bale": "شناسهٔ بله",
    "phone": "شماره",
    "email": "ایمیل",
    "fax": "شمارهٔ فکس",
}
# 409 reasons: the holder is named only to a user who may open it (PLT-4).
TAKEN_VISIBLE = "این {kind} پیش‌تر برای مخاطب {id} («{name}») ثبت شده است؛ به‌جای مخاطب تازه، دو مخاطب را ادغام کنید."
TAKEN_HIDDEN = "این {kind} متعلق به مخاطب دیگری است که شما به آن دسترسی ندارید؛ برای پیگیری با مدیر خود هماهنگ کنید."
Q = Param("q", {"type": "string", "maxLength": 200}, "name, phone (any digit set or form), email or identity value")


@api.get(
    "/contacts",
    summary="Search contacts",
    tag="contacts",
    area=Area.CONTACTS,
    params=(Q, *PAGING),
    response=page_schema(ref("Contact")),
)
async def list_contacts(call: ApiCall) -> dict[str, Any]:
    """Contacts you may see; `q` matches names Persian-normalized (علي finds علی) and phones in any form."""
    limit, offset = paging(call)
    rows, total = await search_contacts(call.query.get("q", ""), user=call.user, limit=limit, offset=offset)
    return page(await out.contacts(list(rows)), total, limit, offset)


@api.get(
    "/contacts/{id}",
    summary="A contact with its identities",
    tag="contacts",
    area=Area.CONTACTS,
    params=(path_id(what="contact"),),
    response=ref("Contact"),
    errors=(403,),
)
async def get_contact(call: ApiCall) -> dict[str, Any]:
    """One contact with every identity; the id of a merged contact answers the contact it was merged into."""
    return await out.contact(await get_contact_for(call.user, call.path["id"]))


@api.get(
    "/contacts/{id}/timeline",
    summary="Everything that happened with a contact",
    tag="contacts",
    area=Area.CONTACTS,
    params=(path_id(what="contact"), *PAGING),
    response=page_schema(ref("TimelineItem")),
    errors=(403,),
)
async def get_timeline(call: ApiCall) -> dict[str, Any]:
    """Messages, calls, cases and other activities of the contact that you may open, newest first."""
    contact = await get_contact_for(call.user, call.path["id"])
    limit, offset = paging(call)
    items = await contact_timeline(contact.id, user=call.user)
    return page([out.timeline_item(i) for i in items[offset : offset + limit]], len(items), limit, offset)


@api.post(
    "/contacts",
    summary="Create a contact",
    tag="contacts",
    area=Area.CONTACTS,
    body=CREATE,
    response=ref("Contact"),
    status=201,
    errors=(409,),
)
async def post_contact(call: ApiCall) -> dict[str, Any]:
    """Create a contact with identities; a phone is stored in E.164, an identity already in use answers 409."""
    identities = [(i["kind"], i["value"], i.get("verified", False)) for i in call.body.get("identities", [])]
    try:
        contact = await create_contact(call.body.get("display_name", ""), identities=identities, by=call.user)
    except IdentityTaken as exc:
        raise ApiError(409, await _taken_reason(exc, call.user)) from None
    return await out.contact(contact)


async def _taken_reason(exc: IdentityTaken, user: User) -> str:
    kind = IDENTITY_NAMES.get(exc.kind, "راه ارتباطی")
    holder = None
    if exc.contact_id is not None:
        holder = await Contact.filter(contact_q(user), id=exc.contact_id, merged_into_id=None).first()
    if holder is None:
        return TAKEN_HIDDEN.format(kind=kind)
    return TAKEN_VISIBLE.format(kind=kind, id=to_persian_digits(holder.id), name=holder.display_name)


@api.post(
    "/contacts/{id}/merge",
    summary="Merge another contact into this one",
    tag="contacts",
    area=Area.CONTACTS,
    params=(path_id(what="contact to keep"),),
    body=MERGE,
    response=ref("Contact"),
    errors=(403,),
)
async def merge_contact(call: ApiCall) -> dict[str, Any]:
    """Move identities, conversations, cases and calls of `merge_id` to this contact; nothing is lost."""
    keep = await get_contact_for(call.user, call.path["id"])
    other = await get_contact_for(call.user, call.body["merge_id"])
    return await out.contact(await merge_contacts(keep.id, other.id, by=call.user))
