"""Record access for bot-domain resources: orders, devices and responses follow their contact's visibility."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from core.access import contact_q
from core.errors import Forbidden
from core.models import Contact, User


def via_contact(user: User, column: str = "contact_id") -> Q:
    """Rows whose contact `user` may see (PLT-4)."""
    return Q(**{f"{column}__in": Subquery(Contact.filter(contact_q(user)).values("id"))})  # type: ignore[arg-type]


async def check_contact(user: User, contact_id: int, what: str) -> None:
    """Forbidden unless `user` may see the contact a record belongs to."""
    if not await Contact.filter(contact_q(user), id=contact_id).exists():
        raise Forbidden(f"you may not see this {what}: it belongs to a contact you cannot see")
