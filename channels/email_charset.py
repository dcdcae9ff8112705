"""Text out of mail bytes: declared charsets, RFC 2047 words, raw 8-bit headers, mislabelled windows-1256."""

from __future__ import annotations

import re
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message

_ARABIC = re.compile("[\u0600-\u06ff]")
_ENCODED_WORD_CHARSET = re.compile(r"=\?([^?*]+)(?:\*[^?]*)?\?[bqBQ]\?")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_BETWEEN_WORDS = re.compile(r"(?<=\?=)\s+(?==\?)")
# Charsets with no Persian ی (and, in ISO-8859-6, no ک): their writers' letters came out Arabic.
_LEGACY_ARABIC = {
    "windows-1256": str.maketrans({"ي": "ی"}),
    "cp1256": str.maketrans({"ي": "ی"}),
    "iso-8859-6": str.maketrans({"ي": "ی", "ك": "ک"}),
}
# Labels that old Iranian mailers put on windows-1256 text.
_MISLABELLED = {None, "", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252", "cp1252"}


def repair_text(value: str) -> str:
    """Text whose raw 8-bit bytes the parser kept as surrogates, decoded as UTF-8 or else windows-1256."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1256", "replace").translate(_LEGACY_ARABIC["cp1256"])


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words decoded inside text that also carries raw (already repaired) letters."""

    def one(match: re.Match[str]) -> str:
        try:
            return str(make_header(decode_header(match.group(0))))
        except (ValueError, LookupError, UnicodeError, MessageError):
            # MessageError: CharsetError for a charset name no codec knows (a garbled `=?€tf-8?…`).
            return match.group(0)

    return _ENCODED_WORD.sub(one, _BETWEEN_WORDS.sub("", text))


def header_text(msg: Message, name: str) -> str:
    """One header as clean text (RFC 2047 decoded, raw 8-bit bytes repaired, folding removed), or ''."""
    found = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if found is None:
        return ""
    raw = str(found)
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        # Raw 8-bit bytes (no RFC 2047): the policy turned them into U+FFFD; decode them ourselves.
        text = _decode_words(repair_text(raw))
    else:
        try:
            text = str(msg.get(name))
        except Exception:
            # The stdlib's structured header parser crashes on some malformed values (AttributeError
            # on a group in From, IndexError, …): the raw value is still the sender's text.
            text = _decode_words(raw)
    return _persian_letters(" ".join(text.split()), raw)


def _persian_letters(text: str, raw: str) -> str:
    """Arabic ي/ك that a legacy charset of the raw header's encoded words forced, as Persian ی/ک."""
    for charset in {c.lower() for c in _ENCODED_WORD_CHARSET.findall(raw)}:
        text = text.translate(_LEGACY_ARABIC.get(charset, {}))
    return text


def raw_header_text(msg: Message, name: str) -> str:
    """One header from its raw value (RFC 2047 words decoded, folding removed), bypassing the structured
    parser, which drops text from malformed address headers (an unquoted `;` in a display name)."""
    found = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if found is None:
        return ""
    raw = str(found)
    return _persian_letters(" ".join(_decode_words(repair_text(raw)).split()), raw)


def decode_text_part(part: Message) -> str:
    """A text part's content: declared charset, mislabelled windows-1256 recognised, never an error."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())
    declared = (part.get_content_charset() or "").lower()
    if declared in _MISLABELLED and not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            guess = data.decode("cp1256", "replace")
            non_ascii = [ch for ch in guess if ord(ch) > 127]
            if sum(1 for ch in non_ascii if _ARABIC.match(ch)) * 2 >= len(non_ascii):
                return guess.translate(_LEGACY_ARABIC["cp1256"])
    for charset in (declared or "utf-8", "utf-8"):
        try:
            text = data.decode(charset)
        except (LookupError, ValueError):  # ValueError: undecodable bytes, or a NUL in the charset name
            continue
        return text.translate(_LEGACY_ARABIC.get(charset, {}))
    return data.decode("cp1256", "replace")
