"""The admin's menu; each area appears for the roles that work in it."""

from __future__ import annotations

from dataclasses import dataclass

from core.areas import Area, may_read
from core.models import Role, User


@dataclass(frozen=True)
class NavItem:
    """One menu entry."""

    href: str
    label: str
    roles: frozenset[Role] | None = None  # None: everyone
    area: Area | None = None  # shown to the roles that may read this area (core/areas.py)


ITEMS: list[NavItem] = [
    NavItem("/admin/", "پیشخوان"),
]


def register(item: NavItem) -> None:
    """Add an area to the menu (areas register themselves when their routes are set up)."""
    if all(existing.href != item.href for existing in ITEMS):
        ITEMS.append(item)


def nav_items(user: User) -> list[NavItem]:
    """The menu entries this user may open."""
    return [i for i in ITEMS if _shows(i, user)]


def _shows(item: NavItem, user: User) -> bool:
    if item.area is not None:
        return may_read(user, item.area)
    return item.roles is None or user.role in item.roles or user.role == Role.ADMIN
