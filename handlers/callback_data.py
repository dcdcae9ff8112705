"""Short, tamper-proof callback data for inline buttons (Telegram allows 64 bytes)."""

from __future__ import annotations

import base64
import hashlib
import hmac

MAC_CHARS = 10
MAX_BYTES = 64


def _mac(secret: str, scope: str, key: str) -> str:
    digest = hmac.new(secret.encode(), f"{scope}\x00{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def sign(secret: str, scope: str, key: str) -> str:
    """`key.mac` where mac binds the key to its scope (conversation and step)."""
    data = f"{key}.{_mac(secret, scope, key)}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"option key too long for callback data: {key!r}")
    return data


def verify(secret: str, scope: str, data: str) -> str | None:
    """The key inside `data` when its mac matches this scope, else None (forged or stale)."""
    key, sep, mac = data.rpartition(".")
    if not sep or not key or not hmac.compare_digest(mac, _mac(secret, scope, key)):
        return None
    return key
