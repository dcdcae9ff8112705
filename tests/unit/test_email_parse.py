"""channels.email_parse on real raw mails: one table of fixtures, one table of tricky headers and bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from channels.base import InvalidInbound
from channels.email_parse import extract_message_ids, find_thread_tag, parse_inbound
from core.models import Channel, IdentityKind
from tests.support.mail import load_eml, with_headers

# What each fixture must parse to (a subset of fields; `text` and `subject` are substrings).
FIXTURES: list[tuple[str, dict[str, Any]]] = [
    (
        "persian_utf8_plain.eml",
        {
            "identity_value": "ali.rezaei1368@gmail.com",
            "sender_name": "علی رضایی",
            "subject": "خرابی دستگاه کپی",
            "text": "کاغذ گیر می‌کند",
            "automated": False,
            "email_message_id": "<CAGk8w3pQ+Zx7d1f_6p9Rr2mAq0hV0sY2vTm5=Lr1XK9uFJ4n2Q@mail.gmail.com>",
        },
    ),
    (
        "windows1256_qp.eml",
        {
            "identity_value": "info@parsian-trading.ir",
            "sender_name": "بازرگانی پارسیان",
            "subject": "پیش فاکتور و قیمت تونر",
            "text": "چاپگر ما گاهی ژام کاغذ می دهد",
        },
    ),
    ("iso8859_6.eml", {"sender_name": "مکتب الاستیراد", "subject": "طلب کاتالوج", "text": "نرجو ارسال کاتالوج"}),
    (
        "rfc2047_subject.eml",
        {
            "sender_name": "مریم کریمی",
            "subject": "پیگیری سفارش شماره ۱۴۰۴۰۹۱۲ — ارسال به شیراز",
            "text": "سفارش من هنوز نرسیده است",
            "sent_at": datetime(2025, 11, 24, 9, 10, 3, tzinfo=UTC),
        },
    ),
    (
        "multipart_attachment.eml",
        {
            "text": "فایل پیش‌فاکتور امضاشده پیوست است.",
            "html": "<b>پیش‌فاکتور</b>",
            "attachments": [("پیش‌فاکتور.pdf", "application/pdf", None)],
        },
    ),
    (
        "html_only_script.eml",
        {
            "text": "سلام، فاکتور را ببینید.",
            "html": 'src="cid:logo@parsian"',
            "attachments": [("logo.png", "image/png", "logo@parsian")],
        },
    ),
    (
        "bounce_report.eml",
        {
            "automated": True,
            "identity_value": "no.such.user@chmail.ir",
            "in_reply_to": "<peyk.c7.k2m9x4q1@example.ir>",
            "text": "could not\nbe delivered",
        },
    ),
    (
        "auto_reply_outlook.eml",
        {"automated": True, "in_reply_to": "<peyk.c12.r8t2w6y0@example.ir>", "text": "در مرخصی هستم"},
    ),
    (
        "outlook_reply.eml",
        {
            "subject": "RE: [#1405-00042] خرابی دستگاه کپی",
            "in_reply_to": "<peyk.c42.h7d3s9v2@example.ir>",
            "references": (
                "<CAGk8w3pQ+Zx7d1f_6p9Rr2mAq0hV0sY2vTm5=Lr1XK9uFJ4n2Q@mail.gmail.com>",
                "<peyk.c42.h7d3s9v2@example.ir>",
            ),
            "thread_tag": "c42",
            "automated": False,
        },
    ),
    (
        "forwarded.eml",
        {
            "identity_value": "sales.kazemi@example.ir",
            "text": "---------- Forwarded message ---------",
            "attachments": [("original.eml", "message/rfc822", None)],
        },
    ),
]


@pytest.mark.parametrize(("name", "expected"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_fixture_mail_parses_to_the_expected_message(name: str, expected: dict[str, Any]) -> None:
    msg = parse_inbound(load_eml(f"email/{name}"))
    assert msg.channel == Channel.EMAIL and msg.identity_kind == IdentityKind.EMAIL
    for key, want in expected.items():
        got = getattr(msg, key)
        if key in ("text", "subject", "html") and isinstance(want, str):
            assert want in (got or ""), f"{key}: {want!r} not in {got!r}"
        elif key == "attachments":
            assert [(a.name, a.mime_type, a.content_id) for a in got] == want
            assert all(a.data for a in got)
        else:
            assert got == want, f"{key}: {got!r} != {want!r}"
    if msg.email_message_id:
        assert msg.external_id == msg.email_message_id


BASE = load_eml("email/persian_utf8_plain.eml")
PLAIN = b"From: a@b.ir\nTo: support@example.ir\nMessage-ID: <t@b.ir>\nSubject: s\n"


def _mail(head: bytes, body: bytes, charset: str | None) -> bytes:
    ctype = b"Content-Type: text/plain" + (b"; charset=" + charset.encode() if charset else b"")
    return PLAIN + ctype + b"\nContent-Transfer-Encoding: 8bit\n" + head + b"\n" + body


# Tricky cases: (id, raw mail, parse_inbound kwargs, expected fields).
TRICKY: list[tuple[str, bytes, dict[str, Any], dict[str, Any]]] = [
    ("auto-submitted no is a person", with_headers(BASE, Auto_Submitted="no"), {}, {"automated": False}),
    ("auto-submitted auto-replied", with_headers(BASE, Auto_Submitted="auto-replied"), {}, {"automated": True}),
    ("x-autoreply", with_headers(BASE, X_Autoreply="yes"), {}, {"automated": True}),
    ("x-autorespond", with_headers(BASE, X_Autorespond="vacation"), {}, {"automated": True}),
    ("precedence bulk", with_headers(BASE, Precedence="bulk"), {}, {"automated": True}),
    ("precedence junk", with_headers(BASE, Precedence="junk"), {}, {"automated": True}),
    ("precedence auto_reply", with_headers(BASE, Precedence="auto_reply"), {}, {"automated": True}),
    ("precedence list", with_headers(BASE, Precedence="list"), {}, {"automated": True}),
    ("precedence first-class", with_headers(BASE, Precedence="first-class"), {}, {"automated": False}),
    ("mailer-daemon sender", with_headers(BASE, From="MAILER-DAEMON@mx.example.ir"), {}, {"automated": True}),
    ("postmaster sender", with_headers(BASE, From="Postmaster <postmaster@chmail.ir>"), {}, {"automated": True}),
    ("mailing list", with_headers(BASE, List_Id="<news.shop.example>"), {}, {"automated": True}),
    ("null envelope sender", BASE, {"envelope_from": ""}, {"automated": True}),
    ("ordinary envelope sender", BASE, {"envelope_from": "ali@gmail.com"}, {"automated": False}),
    (
        "raw 8-bit utf-8 before an encoded word",
        BASE.replace(b"Subject: =?", "Subject: فوری: =?".encode()),
        {},
        {"subject": "فوری: خرابی دستگاه کپی"},
    ),
    (
        "raw 8-bit utf-8 sender name",
        BASE.replace(b"From: =?utf-8?b?2LnZhNuMINix2LbYp9uM24w=?=", 'From: "علی"'.encode()),
        {},
        {"sender_name": "علی"},
    ),
    (
        "raw 8-bit windows-1256 subject",
        PLAIN.replace(b"Subject: s", b"Subject: " + "سلام دوست".replace("ی", "ي").encode("cp1256")) + b"\nx",
        {},
        {"subject": "سلام دوست"},
    ),
    (
        "case tag kept in subject",
        with_headers(BASE, Subject="Re: [#1405-00042] تعمیر"),
        {},
        {"subject": "Re: [#1405-00042] تعمیر"},
    ),
    ("plus-address tag", with_headers(BASE, To="<support+c123@example.ir>"), {}, {"thread_tag": "c123"}),
    ("plus-address tag any case", with_headers(BASE, To="Support+C77@Example.ir"), {}, {"thread_tag": "c77"}),
    ("plus-address without a conversation", with_headers(BASE, To="support+news@example.ir"), {}, {"thread_tag": None}),
    ("plus-address from the envelope", BASE, {"envelope_to": ("support+c9@example.ir",)}, {"thread_tag": "c9"}),
    (
        "message-id without brackets",
        with_headers(BASE, Message_ID="abc.123@host.ir"),
        {},
        {"external_id": "<abc.123@host.ir>"},
    ),
    (
        "in-reply-to with a comment",
        with_headers(BASE, In_Reply_To="<p1@x.ir> (Ali's message of Sat)"),
        {},
        {"in_reply_to": "<p1@x.ir>"},
    ),
    ("date missing", with_headers(BASE, Date=None), {}, {"sent_at": None}),
    ("date garbage", with_headers(BASE, Date="دیروز"), {}, {"sent_at": None}),
    (
        "date without zone",
        with_headers(BASE, Date="Sat, 22 Nov 2025 10:00:00"),
        {},
        {"sent_at": datetime(2025, 11, 22, 10, tzinfo=UTC)},
    ),
    (
        "latin-1 label on windows-1256 text",
        _mail(b"", "سلام، لطفاً پاسخ دهید".replace("ی", "ي").encode("cp1256"), "iso-8859-1"),
        {},
        {"text": "سلام، لطفاً پاسخ دهید"},
    ),
    ("no charset on utf-8 text", _mail(b"", "درود".encode(), None), {}, {"text": "درود"}),
    ("unknown charset falls back to utf-8", _mail(b"", "درود".encode(), "x-unknown"), {}, {"text": "درود"}),
    ("charset alias utf8", _mail(b"", "درود".encode(), "utf8"), {}, {"text": "درود"}),
    (
        "real latin-1 stays latin-1",
        _mail(b"", "café crème".encode("latin-1"), "iso-8859-1"),
        {},
        {"text": "café crème"},
    ),
]


@pytest.mark.parametrize(("raw", "kwargs", "expected"), [t[1:] for t in TRICKY], ids=[t[0] for t in TRICKY])
def test_tricky_mail_parses_as_the_table_says(raw: bytes, kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    msg = parse_inbound(raw, **kwargs)
    for key, want in expected.items():
        assert getattr(msg, key) == want, f"{key}: {getattr(msg, key)!r} != {want!r}"


def test_a_mail_without_message_id_is_keyed_by_its_bytes() -> None:
    raw = with_headers(BASE, Message_ID=None)
    first, second = parse_inbound(raw), parse_inbound(raw)
    assert first.email_message_id is None
    assert first.external_id.startswith("sha256:") and first.external_id == second.external_id
    assert parse_inbound(raw + b"\n").external_id != first.external_id


@pytest.mark.parametrize(
    "raw", [b"", b"   \n", with_headers(BASE, From=None), with_headers(BASE, From="undisclosed-recipients:;")]
)
def test_mail_without_a_sender_is_invalid(raw: bytes) -> None:
    with pytest.raises(InvalidInbound):
        parse_inbound(raw)


def test_references_keep_order_and_drop_repeats() -> None:
    value = "<a@x> <b@x>\n <a@x> <c@x>"
    assert extract_message_ids(value) == ("<a@x>", "<b@x>", "<c@x>")


def test_thread_tag_comes_from_the_first_plus_address() -> None:
    assert find_thread_tag(["sales@example.ir", "support+c5@example.ir", "support+c6@example.ir"]) == "c5"


def test_bounce_details_are_kept_in_meta() -> None:
    msg = parse_inbound(load_eml("email/bounce_report.eml"))
    assert msg.meta["bounce"]["status"] == "5.1.1"
    assert msg.meta["bounce"]["action"] == "failed"
    assert msg.meta["from"] == "mailer-daemon@mx.example.ir"
    assert msg.meta["automated_reason"]


OWN = ("example.ir",)
BCC_COPY = with_headers(
    BASE,
    From="Mahdi Kazemi <sales.kazemi@example.ir>",
    To="Ali Rezaei <ali.rezaei1368@gmail.com>",
    Bcc="support@example.ir",
)
ORIGINS: list[tuple[str, bytes, dict[str, Any]]] = [
    (
        "forward with the original attached",
        load_eml("email/forwarded.eml"),
        {"identity_value": "reza.noori@gmail.com", "automated": False, "origin": "forwarded"},
    ),
    (
        "inline forward only",
        (
            "From: Mahdi Kazemi <sales.kazemi@example.ir>\nTo: support@example.ir\nSubject: Fwd: استعلام\n"
            "Message-ID: <fw-1@example.ir>\nContent-Type: text/plain; charset=utf-8\n\n"
            "لطفاً پیگیری کنید.\n\n---------- پیام بازارسال‌شده ---------\n"
            "از: رضا نوری <reza.noori@gmail.com>\nتاریخ: ۵ آذر ۱۴۰۴\n\nسلام، قیمت را بفرمایید.\n"
        ).encode(),
        {"identity_value": "reza.noori@gmail.com", "automated": False, "origin": "forwarded"},
    ),
    (
        "a colleague's Bcc copy of their own mail",
        BCC_COPY,
        {"identity_value": "ali.rezaei1368@gmail.com", "automated": True, "origin": "own-copy"},
    ),
    (
        "mail between colleagues stays theirs",
        with_headers(BCC_COPY, To="it@example.ir"),
        {"identity_value": "sales.kazemi@example.ir", "automated": False, "origin": None},
    ),
    ("a customer's own mail", BASE, {"identity_value": "ali.rezaei1368@gmail.com", "origin": None}),
]


@pytest.mark.parametrize(("raw", "expected"), [o[1:] for o in ORIGINS], ids=[o[0] for o in ORIGINS])
def test_mail_from_our_own_domain_is_filed_on_the_outside_person(raw: bytes, expected: dict[str, Any]) -> None:
    msg = parse_inbound(raw, own_domains=OWN)
    assert msg.meta.get("origin") == expected.pop("origin")
    for key, want in expected.items():
        assert getattr(msg, key) == want
    if msg.meta.get("origin"):
        assert msg.meta["from"] == "sales.kazemi@example.ir"


def test_without_own_domains_a_forward_stays_on_its_sender() -> None:
    assert parse_inbound(load_eml("email/forwarded.eml")).identity_value == "sales.kazemi@example.ir"
