"""Starting and stopping mail intake from the settings: SMTP listener + mail spool worker, IMAP poller, fax OCR.

The SMTP listener answers 250 once a mail is in the spool (`<data dir>/spool/mail`); the spool
worker, started with it, stores spooled mails through the intake (also those left from before a
restart). The IMAP poller calls the intake directly and advances its UID only after the commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from channels.email_compose import sender_parts
from channels.email_in import start_smtp_ingress
from channels.email_intake import MailIntake, MailRules
from channels.fax import DEFAULT_NUMBER_PATTERNS
from channels.fax_ocr import FaxOcr
from channels.imap_poller import ImapPoller
from channels.mail_spool import MailSpool, SpoolWorker, spool_dir
from core.actions.fax import FAX_PATTERNS_KEY
from core.config import Settings
from core.errors import ConfigError
from core.models import Setting

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[None]]


def accepted_recipients(settings: Settings) -> tuple[str, ...]:
    """Addresses the SMTP listener takes mail for: the whole domain of PEYK_MAIL_FROM."""
    if not settings.mail_from:
        raise ConfigError("PEYK_MAIL_FROM: required when PEYK_SMTP_INGRESS is set (it names our mail domain)")
    try:
        _, _, domain = sender_parts(settings.mail_from)
    except ValueError as exc:
        raise ConfigError(f"PEYK_MAIL_FROM: {exc}") from exc
    return ("@" + domain.lower(),)


def own_domains(settings: Settings) -> tuple[str, ...]:
    """Our mail domains (PEYK_MAIL_FROM's), so colleagues' forwards and Bcc copies land on the customer."""
    if not settings.mail_from:
        return ()
    try:
        return (sender_parts(settings.mail_from)[2].lower(),)
    except ValueError:
        return ()


async def fax_patterns() -> tuple[str, ...]:
    """The fax-number patterns in force: the admin's list from the Setting table, else the defaults."""
    row = await Setting.get_or_none(key=FAX_PATTERNS_KEY)
    value = row.value if row is not None else None
    if not isinstance(value, list) or not value:
        return DEFAULT_NUMBER_PATTERNS
    good = []
    for pattern in value:
        try:
            if "number" in re.compile(str(pattern)).groupindex:
                good.append(str(pattern))
                continue
        except re.error:
            pass
        log.warning("%s: ignoring %r (not a regex with a (?P<number>…) group)", FAX_PATTERNS_KEY, pattern)
    return tuple(good) or DEFAULT_NUMBER_PATTERNS


async def start_mail(settings: Settings) -> Closer:
    """Start whatever mail intake is configured (SMTP ingress, IMAP polling); returns one closer."""
    closers: list[Closer] = []
    if not (settings.smtp_ingress or settings.imap_url):
        return _closer(closers)
    ocr = FaxOcr(data_dir=settings.data_dir)
    if settings.fax_gateways:
        if await ocr.detect():
            await ocr.resume()
        else:
            log.info("fax OCR is off: %s", ocr.reason)
    closers.append(ocr.close)
    rules = MailRules(
        own_domains=own_domains(settings),
        fax_gateways=settings.fax_gateways,
        fax_patterns=await fax_patterns(),
        data_dir=settings.data_dir,
        max_attachments=settings.mail_max_attachments,
    )
    intake = MailIntake(rules, ocr=ocr)
    try:
        if settings.smtp_ingress:
            host, port = settings.smtp_ingress
            accepted = accepted_recipients(settings)
            hostname = accepted[0].lstrip("@")
            spool = MailSpool(spool_dir(settings.data_dir))
            worker = SpoolWorker(spool, intake)
            await worker.start()
            closers.append(worker.close)
            ingress = await start_smtp_ingress(
                spool, accepted, host, port, hostname=hostname, max_recipients=settings.smtp_max_recipients
            )
            closers.append(ingress.close)
        if settings.imap_url:
            poller = ImapPoller(settings.imap_url, intake.take, hold=intake.hold)
            await poller.start()
            closers.append(poller.stop)
            log.info("IMAP poller on %s", poller.target.key)
    except BaseException:
        await _closer(closers)()
        raise
    return _closer(closers)


def _closer(closers: list[Closer]) -> Closer:
    async def close() -> None:
        for closer in reversed(closers):
            try:
                await closer()
            except Exception:
                log.exception("stopping mail intake failed")

    return close
