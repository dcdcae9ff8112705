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
