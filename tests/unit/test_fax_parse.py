"""Fax-to-mail parsing: gateway senders, fax numbers in gateway subjects and bodies, page counts."""

from __future__ import annotations

import pytest

from channels.fax import find_fax_number, is_fax_gateway, parse_fax
from channels.fax_pages import count_pages, count_pdf_pages, count_tiff_pages
from core.models import Channel, IdentityKind
from tests.support.faxdocs import make_pdf, make_tiff
from tests.support.mail import load_eml, with_headers

# (subject, body, expected number) — formats of common gateways, Latin and Persian.
NUMBERS: list[tuple[str, str, str | None]] = [
    ("New fax from 021-8877 6655", "", "+982188776655"),
    ("Fax from +98 21 8877 6655", "", "+982188776655"),
    ('eFax message from "02188776655" - 2 page(s)', "", "+982188776655"),
    ("Facsimile received from 03136248800", "", "+983136248800"),
    ("New Fax Message from (021) 88776655 on 11/26/2025", "", "+982188776655"),
    ("Fax received", "You have received a 2 page fax.\nCaller ID: 02188776655\n", "+982188776655"),
    ("Fax", "Remote CSID: 021 8877 6655", "+982188776655"),
    ("Fax", "Sender: 09121234567", "+989121234567"),
    ("نمابر دریافتی از ۰۳۱-۳۶۲۴۸۸۰۰", "", "+983136248800"),
    ("فکس جدید از شماره ۰۲۱۸۸۷۷۶۶۵۵", "", "+982188776655"),
    ("نمابر", "شماره فرستنده: ۰۲۱-۸۸۷۷۶۶۵۵", "+982188776655"),
    ("Fax from 1234", "", "1234"),
    ("Your invoice", "Thank you for your order.", None),
]


@pytest.mark.parametrize(("subject", "body", "number"), NUMBERS, ids=[n[0][:30] for n in NUMBERS])
def test_fax_number_is_found_in_gateway_formats(subject: str, body: str, number: str | None) -> None:
    assert find_fax_number(subject, body) == number


def test_configured_patterns_replace_the_defaults() -> None:
    patterns = (r"Absender=(?P<number>\d+)",)
    assert find_fax_number("Fax", "Absender=02188776655", patterns) == "+982188776655"
    assert find_fax_number("New fax from 02188776655", "", patterns) is None


@pytest.mark.parametrize(
    ("sender", "gateways", "expected"),
    [
        ("fax@pbx.example.ir", ("fax@pbx.example.ir",), True),
        ("FAX@PBX.example.ir", ("fax@pbx.example.ir",), True),
        ("anyone@pbx.example.ir", ("@pbx.example.ir",), True),
        ("fax@evil-pbx.example.ir", ("@pbx.example.ir",), False),
        ("fax@pbx.example.ir.evil.com", ("@pbx.example.ir",), False),
        ("customer@gmail.com", ("fax@pbx.example.ir", "@fax.ir"), False),
        ("fax@pbx.example.ir", (), False),
    ],
)
def test_gateway_senders_are_matched_exactly(sender: str, gateways: tuple[str, ...], expected: bool) -> None:
    assert is_fax_gateway(sender, gateways) is expected


PAGES = [
    ("pdf 1 page", make_pdf(1), 1),
    ("pdf 7 pages", make_pdf(7), 7),
    ("pdf pages in a compressed object stream", make_pdf(4, compressed_objects=True), 4),
    ("tiff 1 page", make_tiff(1), 1),
    ("tiff 5 pages", make_tiff(5), 5),
    ("big-endian tiff", make_tiff(3, big_endian=True), 3),
    ("tiff whose IFDs loop", make_tiff(2, loop=True), 2),
    ("truncated tiff", make_tiff(3)[:60], 1),
    ("not a document", b"hello", None),
]


@pytest.mark.parametrize(("data", "pages"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_count_of_fax_documents(data: bytes, pages: int | None) -> None:
    assert count_pages(data) == pages


def test_page_counters_refuse_the_other_format() -> None:
    assert count_pdf_pages(make_tiff(2)) is None
    assert count_tiff_pages(make_pdf(2)) is None


def test_gateway_mail_with_pdf_becomes_a_fax_from_the_sender_number() -> None:
    msg = parse_fax(load_eml("fax/freepbx_pdf.eml"))
    assert msg.channel == Channel.FAX and msg.identity_kind == IdentityKind.FAX
    assert msg.identity_value == msg.thread_key == "+982188776655"
    assert msg.meta["fax"] == {
        "number": "+982188776655",
        "gateway": "fax@pbx.example.ir",
        "documents": ["fax-1764146443.pdf"],
        "pages": 2,
        "ocr": "off",
    }
    assert [a.mime_type for a in msg.attachments] == ["application/pdf"]


def test_tiff_fax_with_persian_subject_counts_its_pages() -> None:
    msg = parse_fax(load_eml("fax/hylafax_tiff.eml"))
    assert msg.identity_value == "+983136248800"
    assert msg.meta["fax"]["pages"] == 3


def test_fax_without_a_number_still_arrives_from_an_unknown_sender() -> None:
    raw = with_headers(load_eml("fax/freepbx_pdf.eml"), Subject="Fax").replace(b"Caller ID: 02188776655", b"")
    msg = parse_fax(raw)
    assert msg.identity_value == "unknown" and msg.meta["fax"]["number"] is None
    assert msg.meta["fax"]["pages"] == 2


def test_gateway_robot_headers_do_not_make_a_fax_automated() -> None:
    raw = with_headers(load_eml("fax/freepbx_pdf.eml"), Auto_Submitted="auto-generated")
    assert parse_fax(raw).automated is False
