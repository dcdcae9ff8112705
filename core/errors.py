"""Errors the domain raises; entry points map them to HTTP codes or polite replies."""

from __future__ import annotations


class PeykError(Exception):
    """Base class of every error Peyk raises on purpose."""


class ConfigError(PeykError):
    """A configuration value is wrong; the message names the variable."""


class ValidationError(PeykError, ValueError):
    """Input that cannot be accepted; the message says why (in English for logs and APIs)."""


class NotFound(PeykError):
    """The record does not exist or the caller may not see it."""


class Forbidden(PeykError):
    """The caller may not do this."""


class IdentityTaken(ValidationError):
    """A phone, email or messenger id already belongs to another contact; the message never names that contact.

    `contact_id` is the holder, for a caller that checks whether the user may open it before naming it.
    """

    def __init__(self, kind: str, value: str, contact_id: int | None = None) -> None:
        super().__init__(f"{kind} {value} already belongs to another contact")
        self.kind = kind
        self.value = value
        self.contact_id = contact_id
