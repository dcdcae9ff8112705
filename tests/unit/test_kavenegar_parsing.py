"""Kavenegar's callbacks as it sends them (form fields), parsed without I/O."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from channels.base import InvalidInbound
from channels.kavenegar import map_status, parse_inbound, parse_status, receptor_of, status_reason
from core.models import Channel, IdentityKind, MessageStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kavenegar"


def fields(name: str) -> dict[str, str]:
    return dict(parse_qsl((FIXTURES / name).read_text().strip(), keep_blank_values=True))


def test_a_persian_inbound_sms_becomes_a_message_from_the_normalized_number() -> None:
    msg = parse_inbound(fields("inbound_persian.form"))
    assert msg.channel == Channel.SMS
    assert msg.external_id == "56798432"
    assert msg.identity_kind == IdentityKind.PHONE
    assert msg.identity_value == "+989121234567"
    assert msg.thread_key == "+989121234567"
    assert msg.text == "سلام، سفارش شماره ۱۴۰۵ من کجاست؟"
    assert msg.meta == {"to": "30004505", "opt_out": False}


def test_every_spelling_of_the_sender_number_gives_the_same_identity() -> None:
    assert parse_inbound(fields("inbound_international_from.form")).identity_value == "+989351112233"
    assert parse_inbound(fields("inbound_opt_out_word.form")).identity_value == "+989121234567"


def test_opt_out_words_are_flagged_on_the_inbound_message() -> None:
    assert parse_inbound(fields("inbound_opt_out_persian_digits.form")).meta["opt_out"] is True
    assert parse_inbound(fields("inbound_opt_out_word.form")).meta["opt_out"] is True


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("inbound_missing_from.form", "missing field 'from'"),
        ("inbound_garbled_from.form", "field 'from' is not a phone number"),
        ("inbound_garbled_messageid.form", "field 'messageid' is not a number"),
    ],
)
def test_missing_or_garbled_fields_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidInbound, match=reason):
        parse_inbound(fields(name))


def test_a_missing_message_field_is_refused_but_an_empty_text_is_kept() -> None:
    good = fields("inbound_persian.form")
    with pytest.raises(InvalidInbound, match="missing field 'message'"):
        parse_inbound({k: v for k, v in good.items() if k != "message"})
    assert parse_inbound({**good, "message": ""}).text == ""


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, MessageStatus.QUEUED),
        (2, MessageStatus.QUEUED),
        (4, MessageStatus.SENT),
        (5, MessageStatus.SENT),
        (6, MessageStatus.FAILED),
        (10, MessageStatus.DELIVERED),
        (11, MessageStatus.FAILED),
        (13, MessageStatus.FAILED),
        (14, MessageStatus.FAILED),
    ],
)
def test_kavenegar_status_codes_map_to_message_statuses(code: int, status: MessageStatus) -> None:
    assert map_status(code) == status


def test_an_unknown_status_code_is_an_error_and_failures_have_a_reason() -> None:
    with pytest.raises(ValueError, match="unknown Kavenegar status 50"):
        map_status(50)
    assert status_reason(11) == "Kavenegar status 11: undelivered"


def test_a_delivery_report_gives_the_provider_id_and_code() -> None:
    assert parse_status(fields("status_delivered.form")) == ("8792343", 10)
    with pytest.raises(InvalidInbound, match="field 'status' is not a number"):
        parse_status(fields("status_garbled.form"))


@pytest.mark.parametrize(
    ("phone", "receptor"),
    [("+989121234567", "09121234567"), ("۰۹۱۲۱۲۳۴۵۶۷", "09121234567"), ("+4915112345678", "004915112345678")],
)
def test_receptors_are_written_the_way_kavenegar_expects(phone: str, receptor: str) -> None:
    assert receptor_of(phone) == receptor
