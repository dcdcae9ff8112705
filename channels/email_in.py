"""The built-in SMTP listener (aiosmtpd on our own loop): checks recipients, spools, then says 250.

Answers, and why:
- RCPT for an address outside the accepted addresses/domains: `550 5.1.1` (we are no relay).
- RCPT beyond the recipients limit of one message (PEYK_SMTP_MAX_RECIPIENTS): `452 4.5.3`; the
  sender delivers to the others in another transaction (RFC 5321 4.5.3.1.10).
- More than the size limit: `552` (aiosmtpd, from the SIZE parameter or while reading DATA).
- `250 2.0.0 OK: queued as <id>` once the mail and its envelope are durably in the mail spool
  (channels/mail_spool.py: written, fsync'd, renamed, directory fsync'd). From then on the mail is
  ours: the spool worker parses and stores it moments later, in arrival order, and keeps retrying
  while the database is down; a duplicate (same Message-ID) is stored once.
- Unparseable mail is still answered 250: the worker keeps the raw bytes as a file and alarms the
  admins. A 5xx would bounce the customer's mail with an error they cannot fix; a 4xx would make
  their server retry the same bytes for days.
- The spool write failed (disk full, permissions): `451 4.3.0`, nothing is left behind, and the
  sending server keeps the mail and retries — it is never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email_intake import MAX_MAIL_BYTES
from channels.mail_spool import MailSpool

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 100  # PEYK_SMTP_MAX_RECIPIENTS


def accepts(address: str, accepted: Iterable[str]) -> bool:
    """True when `address` (plus-tags ignored) is one of `accepted`: addresses, `@domain` or `domain`."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    if not local or not domain:
        return False
    base = local.split("+", 1)[0] + "@" + domain
    for item in (a.strip().lower() for a in accepted):
        if not item:
            continue
        if "@" in item and not item.startswith("@"):
            if base == item or address.lower() == item:
                return True
        elif domain == item.lstrip("@"):
            return True
    return False


class MailDoor:
    """aiosmtpd handler: RCPT checks recipients, DATA writes the mail to the spool and answers once it is safe."""

    def __init__(self, spool: MailSpool, accepted: Sequence[str], max_recipients: int = MAX_RECIPIENTS) -> None:
        self.spool = spool
        self.accepted = tuple(accepted)
        self.max_recipients = max_recipients

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """550 for addresses that are not ours, 452 past the recipients limit; otherwise take the recipient."""
        if not accepts(address, self.accepted):
            log.info("SMTP: refused recipient %s from %s", address, session.peer)
            return f"550 5.1.1 <{address}>: recipient not accepted here"
        if len(envelope.rcpt_tos) >= self.max_recipients:
            log.info("SMTP: more than %d recipients from %s", self.max_recipients, session.peer)
            return f"452 4.5.3 Too many recipients (at most {self.max_recipients} per message)"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Spool the mail durably, then 250; 451 when it could not be made safe."""
        raw = envelope.original_content or b""
        peer = session.peer
        peer_text = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else str(peer or "")
        try:
            mail_id = await self.spool.put(
                raw, mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos), peer=peer_text
            )
        except Exception:
            log.exception("SMTP: could not spool a mail from %s; asking the sender to retry", envelope.mail_from)
            return "451 4.3.0 Temporary failure storing the message, please try again later"
        return f"250 2.0.0 OK: queued as {mail_id}"


class SmtpIngress:
    """The listening SMTP server; `port` is where it listens, `await close()` stops it and its sessions."""

    def __init__(self, server: asyncio.Server, sessions: set[SMTP]) -> None:
        self.server = server
        self._sessions = sessions

    @property
    def port(self) -> int:
        """The port it listens on (useful when started on port 0)."""
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and end open sessions (a mail not yet acknowledged is retried by its sender)."""
        self.server.close()
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        await self.server.wait_closed()


async def start_smtp_ingress(
    spool: MailSpool,
    accepted: Sequence[str],
    host: str,
    port: int,
    *,
    hostname: str = "peyk.local",
    data_size_limit: int = MAX_MAIL_BYTES,
    timeout: float = 300.0,
    max_recipients: int = MAX_RECIPIENTS,
) -> SmtpIngress:
    """Listen for SMTP on host:port inside the running loop (`loop.create_server`); mail goes to `spool`."""
    if not accepted:
        raise ValueError("the SMTP listener needs at least one accepted address or domain")
    loop = asyncio.get_running_loop()
    door = MailDoor(spool, accepted, max_recipients)
    sessions: set[SMTP] = set()

    def factory() -> SMTP:
        smtp = _TrackedSMTP(
            door,
            sessions,
            data_size_limit=data_size_limit,
            enable_SMTPUTF8=True,
            hostname=hostname,
            ident="Peyk ESMTP",
            timeout=timeout,
            loop=loop,
        )
        return smtp

    server = await loop.create_server(factory, host, port)
    log.info("SMTP listener on %s:%s for %s", host, port, ", ".join(accepted))
    return SmtpIngress(server, sessions)


class _TrackedSMTP(SMTP):
    """An SMTP session that the listener can close at shutdown (Python 3.11 servers can't)."""

    def __init__(self, handler: Any, sessions: set[SMTP], **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sessions = sessions

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._sessions.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.discard(self)
        super().connection_lost(error)
