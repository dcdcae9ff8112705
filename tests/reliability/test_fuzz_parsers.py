"""Property tests over every channel parser: any input ends in a result or the declared InvalidInbound.

Inputs are real fixtures mutated at random paths (a value replaced by any JSON, a key dropped, bytes
flipped or cut) and wholly arbitrary input. core/text, core/phones, core/jalali and core/money
parsers have the same property tested in tests/unit (test_text, test_phones, test_jalali,
test_money).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels import cti, email_parse, kavenegar, telegram
from channels.base import InvalidInbound
from core.errors import ValidationError
from core.models import Channel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DECLARED = (InvalidInbound, ValidationError)
# PEYK_FUZZ_EXAMPLES=5000 for a long local hunt; CI keeps the default small.
EXAMPLES = int(os.environ.get("PEYK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TELEGRAM = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "telegram").glob("*.json"))]
KAVENEGAR = [dict(parse_qsl(p.read_text().strip())) for p in sorted((FIXTURES / "kavenegar").glob("*.form"))]
MAILS = [p.read_bytes() for d in ("email", "fax") for p in sorted((FIXTURES / d).glob("*.eml"))]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _load_cti() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "cti").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        events.extend(e for e in (data if isinstance(data, list) else [data]) if isinstance(e, dict))
    return events


CTI_EVENTS = _load_cti()


@st.composite
def mutated(draw: st.DrawFn, originals: list[dict[str, Any]]) -> Any:
    """A fixture with a few random paths replaced by any JSON value or removed."""
    doc = copy.deepcopy(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 3))):
        node: Any = doc
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                node = child
                continue
            if isinstance(node, dict) and draw(st.integers(0, 4)) == 0:
                del node[key]
            else:
                node[key] = draw(json_values)
            break
    return doc


@st.composite
def mangled_bytes(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """A fixture's bytes flipped, cut, spliced with random bytes or header lines."""
    raw = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 4))):
        if not raw:
            break
        where = draw(st.integers(0, len(raw) - 1))
        action = draw(st.integers(0, 3))
        if action == 0:
            raw[where] = draw(st.integers(0, 255))
        elif action == 1:
            del raw[where:]
        elif action == 2:
            raw[where:where] = draw(st.binary(max_size=40))
        else:
            name = draw(st.sampled_from([b"Content-Type", b"Content-Transfer-Encoding", b"From", b"Subject", b"Date"]))
            raw[where:where] = b"\n" + name + b": " + draw(st.binary(max_size=40)) + b"\n"
    return bytes(raw)


def check_only_declared(parse: Any, *args: Any, **kwargs: Any) -> Any:
    """Parse; a declared validation error is a fine answer, anything else fails; a success returns a value."""
    try:
        parsed = parse(*args, **kwargs)
    except DECLARED:
        return None
    assert parsed is not None
    return parsed


@FUZZ
@given(update=mutated(TELEGRAM), channel=st.sampled_from([Channel.TELEGRAM, Channel.BALE]))
def test_mutated_telegram_updates_parse_or_raise_only_invalid_inbound(update: Any, channel: Channel) -> None:
    check_only_declared(telegram.parse_inbound, update, channel)


@FUZZ
@given(update=json_values)
def test_arbitrary_json_as_a_telegram_update_parses_or_raises_only_invalid_inbound(update: Any) -> None:
    check_only_declared(telegram.parse_inbound, update)


fields = st.dictionaries(
    st.sampled_from(["messageid", "from", "to", "message", "status"]) | st.text(max_size=8), st.text(), max_size=6
)


@FUZZ
@given(base=st.sampled_from(KAVENEGAR), changes=fields)
def test_mutated_kavenegar_callbacks_parse_or_raise_only_invalid_inbound(base: dict, changes: dict) -> None:
    merged = {**base, **changes}
    check_only_declared(kavenegar.parse_inbound, merged)
    check_only_declared(kavenegar.parse_status, merged)


@FUZZ
@given(raw=mangled_bytes(MAILS), envelope_from=st.none() | st.text(max_size=40))
def test_mangled_raw_mails_parse_or_raise_only_invalid_inbound(raw: bytes, envelope_from: str | None) -> None:
    check_only_declared(email_parse.parse_inbound, raw, envelope_from=envelope_from, own_domains=("example.ir",))


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_as_a_mail_parse_or_raise_only_invalid_inbound(raw: bytes) -> None:
    check_only_declared(email_parse.parse_inbound, raw)


@FUZZ
@given(event=mutated(CTI_EVENTS) | json_values)
def test_mutated_cti_json_events_parse_or_raise_only_invalid_inbound(event: Any) -> None:
    check_only_declared(cti.parse_json, json.dumps(event).encode())


@FUZZ
@given(body=st.binary(max_size=300))
def test_arbitrary_bytes_as_a_cti_json_body_parse_or_raise_only_invalid_inbound(body: bytes) -> None:
    check_only_declared(cti.parse_json, body)


@FUZZ
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(["event", "callId", "from", "to", "direction", "user", "user[]", "cause"]) | st.text(),
            st.text() | st.integers() | st.none(),
        ),
        max_size=10,
    )
)
def test_arbitrary_cti_form_fields_parse_or_raise_only_invalid_inbound(pairs: list[tuple[str, Any]]) -> None:
    check_only_declared(cti.parse_form, pairs)
