"""Outgoing mail: headers that keep the thread, Persian subjects, files, and SMTP error classes."""

from __future__ import annotations

from email import policy

import aiosmtplib
import pytest

from channels.base import HoldQueue, PermanentSendError, TransientSendError
from channels.email_compose import build_email, reply_address, thread_ids
from channels.email_out import classify, parse_smtp_url
from channels.email_parse import parse_inbound
from core.errors import ConfigError

PAYLOAD = {
    "text": "با سلام،\nکارشناس ما فردا ساعت ۱۰ مراجعه می‌کند.",
    "subject": "Re: خرابی دستگاه کپی [#1405-00042]",
    "message_id": "<peyk.c42.0a1b2c3d4e5f6a7b@example.ir>",
    "in_reply_to": "<CAGk8w3p@mail.gmail.com>",
    "references": ["<root@mail.gmail.com>", "<CAGk8w3p@mail.gmail.com>"],
}


def test_reply_carries_thread_headers_and_a_plus_address_reply_to() -> None:
    msg = build_email(PAYLOAD, "ali@gmail.com", "پشتیبانی <support@example.ir>")
    assert msg["Message-ID"] == "<peyk.c42.0a1b2c3d4e5f6a7b@example.ir>"
    assert msg["In-Reply-To"] == "<CAGk8w3p@mail.gmail.com>"
    assert msg["References"] == "<root@mail.gmail.com> <CAGk8w3p@mail.gmail.com>"
    assert msg["Reply-To"] == "support+c42@example.ir"
    assert msg["Auto-Submitted"] is None


def test_persian_subject_and_name_are_encoded_and_read_back_exactly() -> None:
    raw = build_email(PAYLOAD, "ali@gmail.com", "پشتیبانی <support@example.ir>").as_bytes(policy=policy.SMTP)
    assert raw.isascii()  # RFC 2047 headers, base64 bodies: safe for any SMTP server
    back = parse_inbound(raw)
    assert back.subject == PAYLOAD["subject"]
    assert back.sender_name == "پشتیبانی"
    assert back.text == PAYLOAD["text"]
    assert "کارشناس" in (back.html or "")


def test_message_is_multipart_text_and_html_with_attachments() -> None:
    files = [("پیش‌فاکتور.pdf", "application/pdf", b"%PDF-1.4 x"), ("note.txt", "text/plain", b"hi")]
    msg = build_email(PAYLOAD, "ali@gmail.com", "support@example.ir", files=files)
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(("plain",))
    assert body is not None and "کارشناس" in body.get_content()
    html = msg.get_body(("html",))
    assert html is not None and 'dir="rtl"' in html.get_content()
    back = parse_inbound(msg.as_bytes(policy=policy.SMTP))
    assert [(a.name, a.data) for a in back.attachments] == [("پیش‌فاکتور.pdf", b"%PDF-1.4 x"), ("note.txt", b"hi")]


def test_system_mail_says_it_is_auto_generated() -> None:
    msg = build_email({"text": "هشدار", "subject": "هشدار پیک"}, "admin@example.ir", "support@example.ir", kind="alarm")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@example.ir>")
    assert msg["Reply-To"] == "support@example.ir"


def test_html_of_a_plain_reply_escapes_markup() -> None:
    msg = build_email({"text": "<script>x</script> & سلام"}, "a@b.ir", "support@example.ir")
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("in_reply_to", "references", "expected"),
    [
        ("<p@x>", [], ("<p@x>", ["<p@x>"])),
        ("<p@x>", ["<r@x>"], ("<p@x>", ["<r@x>", "<p@x>"])),
        ("<p@x>", ["<p@x>", "<r@x>"], ("<p@x>", ["<r@x>", "<p@x>"])),
        (None, ["<r@x>"], (None, ["<r@x>"])),
        ("p@x", [], ("<p@x>", ["<p@x>"])),
    ],
)
def test_references_end_with_the_mail_being_answered(
    in_reply_to: str | None, references: list[str], expected: tuple[str | None, list[str]]
) -> None:
    assert thread_ids(in_reply_to, references) == expected


def test_long_reference_chains_keep_the_root_and_the_latest() -> None:
    refs = [f"<m{i}@x>" for i in range(40)]
    _, chain = thread_ids("<m39@x>", refs)
    assert chain[0] == "<m0@x>" and chain[-1] == "<m39@x>" and len(chain) == 20


def test_reply_address_strips_an_existing_tag() -> None:
    assert reply_address("Support <support+old@example.ir>", 7) == "support+c7@example.ir"


@pytest.mark.parametrize(
    ("url", "host", "port", "use_tls", "start_tls", "user", "password"),
    [
        ("smtp://u:p@mail.example.ir:587?starttls=true", "mail.example.ir", 587, False, True, "u", "p"),
        ("smtps://u%40x.ir:p%3Aw@mail.example.ir", "mail.example.ir", 465, True, False, "u@x.ir", "p:w"),
        ("smtp://mail.example.ir", "mail.example.ir", 25, False, None, None, None),
        ("smtp://relay:2525?starttls=false", "relay", 2525, False, False, None, None),
    ],
)
def test_smtp_url_forms(
    url: str, host: str, port: int, use_tls: bool, start_tls: bool | None, user: str | None, password: str | None
) -> None:
    target = parse_smtp_url(url)
    assert (target.host, target.port, target.use_tls, target.start_tls) == (host, port, use_tls, start_tls)
    assert (target.username, target.password) == (user, password)


def test_smtp_url_must_be_smtp() -> None:
    with pytest.raises(ConfigError):
        parse_smtp_url("http://mail.example.ir")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (aiosmtplib.SMTPResponseException(451, "try later"), TransientSendError),
        (aiosmtplib.SMTPDataError(554, "rejected as spam"), PermanentSendError),
        (aiosmtplib.SMTPSenderRefused(553, "sender refused", "support@example.ir"), PermanentSendError),
        (
            aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no such user", "x@y")]),
            PermanentSendError,
        ),
        (
            aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(450, "greylisted", "x@y")]),
            TransientSendError,
        ),
        (aiosmtplib.SMTPConnectError("connection refused"), TransientSendError),
        (aiosmtplib.SMTPTimeoutError("timed out"), TransientSendError),
        (aiosmtplib.SMTPServerDisconnected("gone"), TransientSendError),
        (ConnectionResetError("reset"), TransientSendError),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), HoldQueue),
        (aiosmtplib.SMTPNotSupported("STARTTLS extension not supported"), HoldQueue),
    ],
)
def test_smtp_errors_map_to_the_dispatcher_kinds(error: Exception, kind: type[Exception]) -> None:
    assert isinstance(classify(error), kind)
