"""Page counts of fax documents without a PDF or imaging library: PDF page objects, TIFF IFDs."""

from __future__ import annotations

import re
import struct
import zlib

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
MAX_IFDS = 10_000
MAX_INFLATED = 50 * 1024 * 1024


def count_pdf_pages(data: bytes) -> int | None:
    """Pages of a PDF: its /Type /Page objects, also inside compressed object streams (PDF 1.5+)."""
    if not data.startswith(b"%PDF"):
        return None
    pages = len(_PAGE.findall(data))
    if pages:
        return pages
    inflated = 0
    for match in _STREAM.finditer(data):
        try:
            chunk = zlib.decompressobj().decompress(match.group(1), MAX_INFLATED - inflated)
        except zlib.error:
            continue
        inflated += len(chunk)
        pages += len(_PAGE.findall(chunk))
        if inflated >= MAX_INFLATED:
            break
    if pages:
        return pages
    counts = [int(a or b) for a, b in _PAGES_COUNT.findall(data)]
    return max(counts) if counts else None


def count_tiff_pages(data: bytes) -> int | None:
    """Pages of a TIFF (classic or BigTIFF): the length of its IFD chain, loops and truncation guarded."""
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return None
    order = "<" if data[:2] == b"II" else ">"
    magic = struct.unpack(order + "H", data[2:4])[0]
    if magic == 42:
        offset = struct.unpack(order + "I", data[4:8])[0]
        count_fmt, entry_size, next_fmt = "H", 12, "I"
    elif magic == 43 and len(data) >= 16:
        offset = struct.unpack(order + "Q", data[8:16])[0]
        count_fmt, entry_size, next_fmt = "Q", 20, "Q"
    else:
        return None
    count_size, next_size = struct.calcsize(count_fmt), struct.calcsize(next_fmt)
    seen: set[int] = set()
    while offset and offset not in seen and len(seen) < MAX_IFDS:
        if offset + count_size > len(data):
            break
        seen.add(offset)
        entries = struct.unpack(order + count_fmt, data[offset : offset + count_size])[0]
        next_at = offset + count_size + entries * entry_size
        if next_at + next_size > len(data):
            break
        offset = struct.unpack(order + next_fmt, data[next_at : next_at + next_size])[0]
    return len(seen) or None


def count_pages(data: bytes, mime_type: str = "", name: str = "") -> int | None:
    """Pages of a fax document (PDF or TIFF, recognised by content first); None when unknown."""
    if data.startswith(b"%PDF"):
        return count_pdf_pages(data)
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return count_tiff_pages(data)
    return None
