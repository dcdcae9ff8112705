"""Pure helpers for the IMAP poller: the PEYK_IMAP_URL and the server's SELECT/SEARCH/FETCH answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from core.errors import ConfigError

_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_ATOM = re.compile(r"^[A-Za-z0-9_.\-/]+$")


@dataclass(frozen=True)
class ImapTarget:
    """Where to poll: host, port, TLS or not, login and the mailbox (folder) name."""

    host: str
    port: int
    tls: bool
    user: str
    password: str = field(repr=False)
    mailbox: str = "INBOX"

    @property
    def key(self) -> str:
        """Names this mailbox in the durable position table (no password)."""
        return f"{self.user.lower()}@{self.host.lower()}:{self.port}/{self.mailbox}"


def parse_imap_url(url: str) -> ImapTarget:
    """`imaps://user:pass@host:993/INBOX` (or `imap://`, port 143) as an ImapTarget."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ConfigError("PEYK_IMAP_URL: expected imaps://user:password@host:993/INBOX")
    if not parts.username or parts.password is None:
        raise ConfigError("PEYK_IMAP_URL: the URL needs a user and a password")
    tls = parts.scheme == "imaps"
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        tls=tls,
        user=unquote(parts.username),
        password=unquote(parts.password),
        mailbox=mailbox,
    )


def quote_mailbox(name: str) -> str:
    """A mailbox name as an IMAP argument (quoted when it is not a plain atom)."""
    if _ATOM.match(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find_uidvalidity(lines: Sequence[bytes | bytearray]) -> int | None:
    """UIDVALIDITY from a SELECT response (`OK [UIDVALIDITY 1795676749] UIDs valid`)."""
    for line in lines:
        match = _UIDVALIDITY.search(bytes(line))
        if match:
            return int(match.group(1))
    return None


def find_new_uids(lines: Sequence[bytes | bytearray], after: int) -> list[int]:
    """UIDs above `after` in a UID SEARCH response, ascending (`n:*` also returns the last one, ≤ n)."""
    uids: set[int] = set()
    for line in lines:
        text = bytes(line).strip()
        if text.startswith(b"SEARCH"):
            text = text[len(b"SEARCH") :]
        words = text.split()
        if words and all(w.isdigit() for w in words):
            uids.update(int(w) for w in words)
    return sorted(u for u in uids if u > after)


def fetched_message(lines: Sequence[bytes | bytearray]) -> bytes | None:
    """The raw message in a one-UID `UID FETCH n (BODY.PEEK[])` response (its literal), or None."""
    for line in lines:
        if isinstance(line, bytearray):
            return bytes(line)
    return None
