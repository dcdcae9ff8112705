"""Role checks of the admin pages: who may open a page, answered with a Persian 403 page otherwise."""

from __future__ import annotations

from aiohttp import web

from admin.web.context import current_user
from admin.web.errors import page_error
from core.models import Role, User

# Who manages staff: admins change users and teams, managers may look.
STAFF_EDITORS = (Role.ADMIN,)
STAFF_VIEWERS = (Role.ADMIN, Role.MANAGER)


def has_role(user: User, *roles: Role | str) -> bool:
    """True when the user's role is one of `roles`; an admin has every role."""
    return user.role == Role.ADMIN or user.role in {Role(r) for r in roles}


def require_role(request: web.Request, *roles: Role | str) -> User:
    """The signed-in user if their role is one of `roles` (admins always pass); else raise the Persian 403 page."""
    user = current_user(request)
    if not has_role(user, *roles):
        raise page_error(request, 403)
    return user
