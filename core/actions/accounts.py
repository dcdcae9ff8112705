"""Accounts: the customer companies contacts work for."""

from __future__ import annotations

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import ValidationError
from core.models import Account, User
from core.phones import normalize_phone
from core.text import normalize_search
from core.tx import atomic


async def create_account(
    name: str,
    *,
    segment: str | None = None,
    phone: str | None = None,
    address: str = "",
    by: User | None = None,
) -> Account:
    """Create a customer company; its phone is stored in E.164, its name also in searchable form."""
    require_write(by, Area.SALES)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ValidationError("name: an account needs a name")
    async with atomic() as out:
        account = await Account.create(
            name=name,
            name_search=normalize_search(name)[:200],
            segment=segment,
            phone=normalize_phone(phone) if phone else None,
            address=address.strip(),
        )
        await record(by, "account.create", account, name=name, segment=segment)
        out.emit("account.created", account_id=account.id)
    return account
