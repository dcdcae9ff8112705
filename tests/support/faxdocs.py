"""Small real fax documents made on the spot: PDFs with N pages, TIFFs with N pages (IFDs)."""

from __future__ import annotations

import struct
import zlib


def make_pdf(pages: int, *, compressed_objects: bool = False) -> bytes:
    """A valid PDF with `pages` pages; `compressed_objects` hides the page objects in an object stream (PDF 1.5)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    page_objs = [
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {3 + pages} 0 R >>".encode()
        for _ in range(pages)
    ]
    content = b"BT /F1 18 Tf 72 720 Td (fax) Tj ET"
    if compressed_objects:
        # Object stream holding the page dictionaries (numbers 3..3+pages-1), Flate-compressed.
        offsets, body = [], b""
        for obj in page_objs:
            offsets.append(len(body))
            body += obj + b"\n"
        header = " ".join(f"{3 + i} {off}" for i, off in enumerate(offsets)).encode() + b"\n"
        data = zlib.compress(header + body)
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            *[b"null" for _ in range(pages)],
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
            b"<< /Type /ObjStm /N "
            + str(pages).encode()
            + b" /First "
            + str(len(header)).encode()
            + b" /Filter /FlateDecode /Length "
            + str(len(data)).encode()
            + b" >>\nstream\n"
            + data
            + b"\nendstream",
        ]
    else:
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            *page_objs,
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_tiff(pages: int, *, big_endian: bool = False, loop: bool = False) -> bytes:
    """A bilevel TIFF with `pages` IFDs; `loop` points the last IFD back at the first (a broken file)."""
    order = ">" if big_endian else "<"
    width, height = 16, 8
    strip = bytes([0xFF] * ((width + 7) // 8) * height)
    out = bytearray((b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8))
    first = 8
    for page in range(pages):
        ifd_at = len(out)
        tags = [(256, width), (257, height), (258, 1), (259, 1), (262, 0), (273, 0), (278, height), (279, len(strip))]
        size = 2 + 12 * len(tags) + 4
        strip_at = ifd_at + size
        last = page == pages - 1
        next_at = (first if loop else 0) if last else strip_at + len(strip)
        out += struct.pack(order + "H", len(tags))
        for tag, value in tags:
            value = strip_at if tag == 273 else value
            out += struct.pack(order + "HHII", tag, 4, 1, value)
        out += struct.pack(order + "I", next_at)
        out += strip
    return bytes(out)


def make_text_pdf(line: str) -> bytes:
    """A one-page PDF that prints `line` (ASCII) large in Helvetica: real text for a real OCR engine."""
    content = f"BT /F1 48 Tf 72 600 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
