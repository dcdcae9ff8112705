"""Password hashing (argon2) and API token digests.

Argon2 is deliberately slow (tens of milliseconds of CPU and 64 MiB per check), so the async
forms run it in a small pool of its own threads (argon2-cffi releases the GIL while hashing): a
burst of sign-ins then waits for a free hasher instead of stalling the event loop, and at most
`HASHERS` checks hold their memory at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
HASHERS = max(1, min(4, os.cpu_count() or 1))
_pool = ThreadPoolExecutor(max_workers=HASHERS, thread_name_prefix="peyk-argon2")
_dummy: list[str] = []  # an argon2 hash of a random secret: what unknown usernames are checked against


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the stored hash (never raises on a bad hash)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """`hash_password` on the hashing threads, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """`verify_password` on the hashing threads; with no usable hash (unknown user, no password set) it
    checks a dummy hash instead and answers False, so the answer takes as long whoever asks."""
    loop = asyncio.get_running_loop()
    stored = password_hash if password_hash and password_hash.startswith("$argon2") else None
    if stored is None and not _dummy:  # made once, with the same parameters as every stored hash
        _dummy.append(await loop.run_in_executor(_pool, hash_password, secrets.token_urlsafe(16)))
    matched = await loop.run_in_executor(_pool, verify_password, stored or _dummy[0], password)
    return matched and stored is not None


def new_token() -> str:
    """A fresh random API token (shown once, stored only as its digest)."""
    return "pk_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
