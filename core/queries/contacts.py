"""Contact search (INB-9): Persian-normalized names, phones typed in any digit set or form, emails."""

from __future__ import annotations

from tortoise.expressions import Q, RawSQL, Subquery

from core.access import contact_q
from core.areas import Area, require_read
from core.models import Contact, ContactIdentity, IdentityKind, User
from core.phones import phone_search_fragment
from core.text import search_tokens, to_ascii_digits

MAX_LIMIT = 500
_COMPACT = """REPLACE("contact"."name_search", ' ', '')"""


def identity_match_q(query: str) -> Q | None:
    """Contacts with an identity matching `query` (phone fragment, email part, messenger id), or None."""
    raw = to_ascii_digits(query or "").strip()
    if not raw:
        return None
    parts = Q(kind__in=[IdentityKind.TELEGRAM, IdentityKind.BALE], value=raw)
    fragment = phone_search_fragment(raw)
    if fragment:
        parts |= Q(kind__in=[IdentityKind.PHONE, IdentityKind.FAX], value__contains=fragment)
    if len(raw) >= 2 and not fragment:
        parts |= Q(kind=IdentityKind.EMAIL, value__contains=raw.lower())
    return Q(id__in=Subquery(ContactIdentity.filter(parts).values("contact_id")))


def contact_match_q(query: str | None) -> Q | None:
    """Contacts whose name has every word of `query` (normalized), or whose identity matches it."""
    tokens = search_tokens(query)
    if not tokens:
        return None
    # ZWNJ is dropped by normalization ("مهندس‌زاده" -> "مهندسزاده") while others type a space there:
    # matching each word against the name without spaces finds it both ways.
    compact = Contact.annotate(name_compact=RawSQL(_COMPACT)).filter(*[Q(name_compact__contains=t) for t in tokens])
    by_name = Q(id__in=Subquery(compact.values("id")))
    by_identity = identity_match_q(query or "")
    return by_name | by_identity if by_identity is not None else by_name


async def search_contacts(q: str | None, *, user: User, limit: int = 50, offset: int = 0) -> tuple[list[Contact], int]:
    """Contacts `user` may see matching `q` (all when empty), newest first, and the total count."""
    require_read(user, Area.CONTACTS)
    qs = Contact.filter(contact_q(user), merged_into_id=None)
    match = contact_match_q(q)
    if match is not None:
        # Substring matches scan every name and identity (no index can serve `%word%` on SQLite):
        # scan once for the matching ids, then count and page those, instead of scanning twice.
        ids = await qs.filter(match).order_by("-id").values_list("id", flat=True)
        page = list(ids[max(offset, 0) :][: min(max(limit, 1), MAX_LIMIT)])
        return list(await Contact.filter(id__in=page).order_by("-id")), len(ids)
    total = await qs.count()
    rows = await qs.order_by("-id").offset(max(offset, 0)).limit(min(max(limit, 1), MAX_LIMIT))
    return list(rows), total
