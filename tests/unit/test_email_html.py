"""HTML mail sanitizing (nh3) and its plain-text version: a table of hostile and ordinary markup."""

from __future__ import annotations

import pytest

from channels.email_html import convert_html_to_text, sanitize_html

# (id, html, must appear in the output, must not appear in it)
CASES: list[tuple[str, str, list[str], list[str]]] = [
    ("script and its content", "<p>سلام</p><script>alert('x')</script>", ["<p>سلام</p>"], ["script", "alert"]),
    ("script in head", "<html><head><script>steal()</script></head><body>ب</body></html>", ["ب"], ["steal"]),
    ("onerror handler", '<img src="cid:a" onerror="fetch(1)">', ['src="cid:a"'], ["onerror", "fetch"]),
    ("onclick on a link", '<a href="https://x.ir" onclick="evil()">x</a>', ['href="https://x.ir"'], ["onclick"]),
    ("onload on body", '<body onload="evil()"><p>x</p></body>', ["<p>x</p>"], ["onload", "evil"]),
    ("javascript: link", '<a href="javascript:alert(1)">x</a>', ["x</a>"], ["javascript"]),
    ("mixed-case javascript: link", '<a href="JaVaScRiPt:alert(1)">x</a>', ["x</a>"], ["alert"]),
    ("entity-encoded javascript:", '<a href="&#106;avascript:alert(1)">x</a>', ["x</a>"], ["alert"]),
    ("data: html link", '<a href="data:text/html,<script>1</script>">x</a>', ["x</a>"], ["data:"]),
    ("remote image dropped", '<img src="https://track.example.com/p.gif">', ["<img"], ["track.example.com"]),
    ("cid image kept", '<img src="cid:logo@x" alt="لوگو">', ['src="cid:logo@x"', 'alt="لوگو"'], []),
    ("data image kept", '<img src="data:image/png;base64,iVBORw0KGgo=">', ["data:image/png"], []),
    ("svg script", '<svg onload="evil()"><script>1</script></svg>ok', ["ok"], ["svg", "onload"]),
    ("iframe", '<iframe src="https://evil.example.com"></iframe>ok', ["ok"], ["iframe", "evil"]),
    ("form and input", '<form action="https://evil"><input name="p"></form>ok', ["ok"], ["form", "input"]),
    ("style element", "<style>body{display:none}</style><p>x</p>", ["<p>x</p>"], ["display"]),
    ("positioning style", '<p style="color:red;position:fixed;top:0">x</p>', ["color:red"], ["position", "top"]),
    ("css url()", '<p style="background:url(https://t.example/x)">x</p>', ["<p"], ["t.example"]),
    ("rtl direction kept", '<div dir="rtl" style="direction:rtl">متن</div>', ['dir="rtl"', "direction:rtl"], []),
    ("mailto link kept", '<a href="mailto:a@b.ir">a</a>', ['href="mailto:a@b.ir"', "noopener"], []),
    ("comment removed", "<!-- secret --><p>x</p>", ["<p>x</p>"], ["secret"]),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil">x', ["x"], ["refresh", "evil"]),
]


@pytest.mark.parametrize(("html", "present", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sanitized_html_keeps_the_safe_parts_only(html: str, present: list[str], absent: list[str]) -> None:
    clean = sanitize_html(html)
    for part in present:
        assert part in clean, f"{part!r} missing from {clean!r}"
    for part in absent:
        assert part.lower() not in clean.lower(), f"{part!r} survived in {clean!r}"


def test_text_version_has_line_breaks_and_no_markup_or_script() -> None:
    html = (
        "<style>p{}</style><p>سلام</p><div>خط دوم<br>خط سوم</div><script>x()</script>"
        "<table><tr><td>الف</td><td>ب</td></tr></table>"
    )
    assert convert_html_to_text(html) == "سلام\n\nخط دوم\nخط سوم\n\nالف ب"


def test_text_version_decodes_entities() -> None:
    assert convert_html_to_text("<p>A &amp; B&nbsp;&lt;C&gt;</p>") == "A & B <C>"
