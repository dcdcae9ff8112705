"""Mail intake as bootstrap starts it from the settings: what runs, what is refused, which fax patterns."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from channels.fax import DEFAULT_NUMBER_PATTERNS
from channels.mail_service import accepted_recipients, fax_patterns, own_domains, start_mail
from channels.mail_spool import spool_dir
from core.actions.fax import set_fax_number_patterns
from core.config import Settings
from core.errors import ConfigError, ValidationError
from core.models import AuditLog, Message
from tests.support.mail import eventually, load_eml, send_mail
from tests.support.service import free_port


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(secret_key="k" * 32, data_dir=tmp_path / "data", **values)  # type: ignore[arg-type]


async def test_nothing_configured_starts_nothing(db: str, tmp_path: Path) -> None:
    before = asyncio.all_tasks()
    close = await start_mail(settings(tmp_path))
    assert asyncio.all_tasks() == before  # no listener, no poller
    await close()


async def test_smtp_ingress_needs_our_mail_address_to_know_what_to_accept(db: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PEYK_MAIL_FROM"):
        await start_mail(settings(tmp_path, smtp_ingress=("127.0.0.1", free_port())))


def test_the_listener_accepts_our_whole_mail_domain(tmp_path: Path) -> None:
    configured = settings(tmp_path, mail_from="پشتیبانی <Support@Example.ir>")
    assert accepted_recipients(configured) == ("@example.ir",)
    assert own_domains(configured) == ("example.ir",)


async def test_configured_ingress_takes_mail_and_stops_on_close(db: str, tmp_path: Path) -> None:
    port = free_port()
    close = await start_mail(settings(tmp_path, smtp_ingress=("127.0.0.1", port), mail_from="support@example.ir"))
    try:
        _, answer = await send_mail(port, load_eml("email/rfc2047_subject.eml"))
        assert answer.startswith("2.0.0 OK: queued as")
        await eventually(lambda: Message.all().count())  # the spool worker stores it moments later
    finally:
        await close()
    assert await Message.all().count() == 1
    assert list(spool_dir(tmp_path / "data").iterdir()) == []
    with pytest.raises(OSError):
        await send_mail(port, load_eml("email/rfc2047_subject.eml"))


async def test_admins_fax_patterns_replace_the_defaults_and_are_audited(db: str) -> None:
    assert await fax_patterns() == DEFAULT_NUMBER_PATTERNS
    await set_fax_number_patterns([r"Absender:\s*(?P<number>\d+)"], by=None)
    assert await fax_patterns() == (r"Absender:\s*(?P<number>\d+)",)
    assert await AuditLog.filter(action="fax.patterns").count() == 1
    await set_fax_number_patterns([], by=None)
    assert await fax_patterns() == DEFAULT_NUMBER_PATTERNS


@pytest.mark.parametrize("bad", ["(unclosed", r"from (\d+)"])
async def test_a_bad_fax_pattern_is_refused_with_the_reason(db: str, bad: str) -> None:
    with pytest.raises(ValidationError, match="patterns"):
        await set_fax_number_patterns([bad], by=None)
