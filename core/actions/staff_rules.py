"""Rules for staff accounts and teams: usernames, passwords, phone lines, and the coded error they raise."""

from __future__ import annotations

import re
import secrets

from core.errors import ValidationError
from core.models import Role, User
from core.models.enums import AccessScope
from core.phones import normalize_phone
from core.text import to_ascii_digits

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # the sign-in form reads at most this many characters
# No look-alikes (l/1/I, O/0): an initial password is read aloud or copied from a screen.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class StaffError(ValidationError):
    """A refused staff or team change; `code` picks the admin's Persian message, the text is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def generate_password(length: int = 14) -> str:
    """A random initial password (about 80 bits), shown to the admin once."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def check_username(username: str) -> str:
    """The username, or StaffError when it is not 2-64 Latin letters, digits, dot, dash or underscore."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise StaffError("username_format", "username: 2-64 Latin letters, digits, dot, dash or underscore")
    return username


async def check_username_free(username: str) -> None:
    """StaffError when the username is taken, compared without case (zahra and Zahra are one person)."""
    if await User.filter(username__iexact=username).exists():
        raise StaffError("username_taken", f"username {username!r} is taken")


def check_password(password: str) -> str:
    """The password, or StaffError when it is shorter than 8 or longer than 256 characters."""
    if len(password) < MIN_PASSWORD:
        raise StaffError("password_short", f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StaffError("password_long", f"password: at most {MAX_PASSWORD} characters")
    return password


def check_role(role: Role | str) -> Role:
    """The role, or StaffError for an unknown one."""
    try:
        return Role(role)
    except ValueError:
        raise StaffError("bad_role", f"role: unknown role {role!r}") from None


def check_scope(scope: AccessScope | str) -> AccessScope:
    """The access scope (own, team, all), or StaffError for an unknown one."""
    try:
        return AccessScope(scope)
    except ValueError:
        raise StaffError("bad_scope", f"scope: unknown scope {scope!r}") from None


def clean_phone_line(phone: str | None, extension: str | None) -> tuple[str | None, str | None]:
    """A staff phone in E.164 and a PBX extension of digits (any digit set typed); empty values become None."""
    try:
        e164 = normalize_phone(phone) if phone and phone.strip() else None
    except ValidationError as exc:
        raise StaffError("bad_phone", f"phone: {exc}") from None
    ext = to_ascii_digits(extension).strip() if extension and extension.strip() else None
    if ext is not None and not (ext.isdigit() and len(ext) <= 20):
        raise StaffError("bad_extension", "extension: digits only, at most 20")
    return e164, ext
