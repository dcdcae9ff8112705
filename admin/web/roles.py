"""Role checks of the admin pages: who may open a page, answered with a Persian 403 page otherwise.

Which role may read or write an area is the table in core/areas.py; pages ask `require_area`.
"""

from __future__ import annotations

from aiohttp import web

from admin.web.context import current_user
from admin.web.errors import page_error
from core.areas import Area, readers, require, writers
from core.errors import Forbidden
from core.models import Role, User

# Who manages staff (users and teams), from the area table: admins change, managers look.
STAFF_EDITORS = tuple(sorted(writers(Area.STAFF)))
STAFF_VIEWERS = tuple(sorted(readers(Area.STAFF)))


def has_role(user: User, *roles: Role | str) -> bool:
    """True when the user's role is one of `roles`; an admin has every role."""
    return user.role == Role.ADMIN or user.role in {Role(r) for r in roles}


def require_role(request: web.Request, *roles: Role | str) -> User:
    """The signed-in user if their role is one of `roles` (admins always pass); else raise the Persian 403 page."""
    user = current_user(request)
    if not has_role(user, *roles):
        raise page_error(request, 403)
    return user


def require_area(request: web.Request, area: Area, *, write: bool = False) -> User:
    """The signed-in user if their role may read (or `write`) `area`; else the Persian 403 page naming the area."""
    user = current_user(request)
    try:
        require(user, area, write=write)
    except Forbidden as exc:
        raise page_error(request, 403, str(exc)) from None
    return user
