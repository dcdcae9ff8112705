"""HTML mail made safe to show (nh3) and turned into plain text for search (INB-8)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Tags a mail body may keep; scripts, forms, frames, styles and objects are dropped.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {"font"}) - {"area", "map"}
# Contents dropped together with the tag (everything else unknown is unwrapped, text kept).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "title", "head", "iframe", "object", "embed", "template"})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"dir", "lang", "title", "style", "align"},
    "font": {"color", "face", "size"},
    "td": {"colspan", "rowspan", "align", "valign", "width"},
    "th": {"colspan", "rowspan", "align", "valign", "width", "scope"},
    "table": {"width", "border", "cellpadding", "cellspacing", "summary", "align"},
}
# Presentation only: nothing that positions content over the page or loads a URL.
ALLOWED_STYLES = frozenset(
    {
        "color",
        "background-color",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "text-align",
        "text-decoration",
        "direction",
        "unicode-bidi",
        "line-height",
        "margin",
        "margin-top",
        "margin-bottom",
        "padding",
        "border",
        "border-collapse",
        "width",
        "vertical-align",
        "white-space",
    }
)
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
# Images only from the mail itself: a remote src is a tracking pixel or a privacy leak.
IMAGE_SCHEMES = ("cid:", "data:image/")


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if tag == "img" and attr == "src":
        return value if lowered.startswith(IMAGE_SCHEMES) else None
    if attr in ("href", "cite", "src"):
        return value if lowered.startswith(LINK_SCHEMES) or lowered.startswith("#") else None
    return value


def sanitize_html(html: str) -> str:
    """The mail's HTML without scripts, event handlers, javascript: URLs or remote images."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        filter_style_properties=set(ALLOWED_STYLES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_BLOCKS = frozenset(
    {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr", "pre", "ul", "ol"}
)
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def convert_html_to_text(html: str) -> str:
    """Readable plain text of an HTML body (block tags become line breaks)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(collector.parts).splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
