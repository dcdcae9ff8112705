"""The IMAP poller's pure helpers: its URL, and reading SELECT / SEARCH / FETCH answers."""

from __future__ import annotations

import pytest

from channels.imap_wire import fetched_message, find_new_uids, find_uidvalidity, parse_imap_url, quote_mailbox
from core.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "user", "password", "mailbox"),
    [
        (
            "imaps://support%40example.ir:p%40ss@mail.example.ir/INBOX",
            "mail.example.ir",
            993,
            True,
            "support@example.ir",
            "p@ss",
            "INBOX",
        ),
        ("imap://u:s3cr3t@127.0.0.1:1143", "127.0.0.1", 1143, False, "u", "s3cr3t", "INBOX"),
        ("imaps://u:s3cr3t@h/Shared%20Support", "h", 993, True, "u", "s3cr3t", "Shared Support"),
    ],
)
def test_imap_url_forms(url: str, host: str, port: int, tls: bool, user: str, password: str, mailbox: str) -> None:
    target = parse_imap_url(url)
    assert (target.host, target.port, target.tls, target.user, target.password, target.mailbox) == (
        host,
        port,
        tls,
        user,
        password,
        mailbox,
    )
    assert password not in repr(target) and password not in target.key


@pytest.mark.parametrize("url", ["imap://host/INBOX", "http://u:p@host", "imap://u:p@/INBOX"])
def test_imap_url_without_login_or_host_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_imap_url(url)


def test_uidvalidity_is_read_from_select() -> None:
    lines = [b"2 EXISTS", b"OK [UIDVALIDITY 1795676749] UIDs valid", b"OK [UIDNEXT 3] Predicted next UID"]
    assert find_uidvalidity(lines) == 1795676749
    assert find_uidvalidity([b"2 EXISTS"]) is None


@pytest.mark.parametrize(
    ("lines", "after", "expected"),
    [
        ([b"1 2 3", b"Search completed."], 0, [1, 2, 3]),
        ([b"SEARCH 4 9 7", b"Search completed."], 3, [4, 7, 9]),
        ([b"9", b"Search completed."], 9, []),  # `10:*` answers the last UID even when it is older
        ([b"", b"Search completed."], 0, []),
    ],
)
def test_new_uids_are_the_ones_above_the_position(lines: list[bytes], after: int, expected: list[int]) -> None:
    assert find_new_uids(lines, after) == expected


def test_fetched_message_is_the_literal() -> None:
    lines = [b"1 FETCH (UID 5 BODY[] {5}", bytearray(b"hello"), b")", b"Fetch completed."]
    assert fetched_message(lines) == b"hello"
    assert fetched_message([b"Fetch completed."]) is None


@pytest.mark.parametrize(
    ("name", "quoted"), [("INBOX", "INBOX"), ("INBOX.Support", "INBOX.Support"), ('My "Box"', '"My \\"Box\\""')]
)
def test_mailbox_names_are_quoted_when_needed(name: str, quoted: str) -> None:
    assert quote_mailbox(name) == quoted
