"""Which RCPT TO addresses the SMTP listener takes (everything else gets 550: we are no relay)."""

from __future__ import annotations

import pytest

from channels.email_in import accepts

CASES = [
    ("support@example.ir", ("@example.ir",), True),
    ("Support+c42@Example.IR", ("@example.ir",), True),
    ("<sales@example.ir>", ("example.ir",), True),
    ("support@mail.example.ir", ("@example.ir",), False),
    ("support@example.ir.evil.com", ("@example.ir",), False),
    ("someone@gmail.com", ("@example.ir",), False),
    ("support+c42@example.ir", ("support@example.ir",), True),
    ("sales@example.ir", ("support@example.ir",), False),
    ("no-at-sign", ("@example.ir",), False),
    ("@example.ir", ("@example.ir",), False),
]


@pytest.mark.parametrize(("address", "accepted", "expected"), CASES, ids=[c[0] for c in CASES])
def test_recipient_is_accepted_only_for_our_addresses_and_domains(
    address: str, accepted: tuple[str, ...], expected: bool
) -> None:
    assert accepts(address, accepted) is expected
