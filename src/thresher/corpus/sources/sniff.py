"""What kind of page an input is, from its first bytes: HTML, a text dump, or binary data.

Shared by the readers (:mod:`.files` for files and stdin, :mod:`.warc` for a
response without a Content-Type).
"""

from __future__ import annotations

import re

from ...decode import BOMS
from . import RawKind

__all__ = ["CONTROL_SHARE_MAX", "SNIFF_BYTES", "sniff_kind"]

#: How much of a file of unknown type is read to decide what it is. Markup
#: declares itself in its first few hundred bytes; 4 KB also gets past a long
#: preamble (BOM, whitespace, comments, an XML declaration) without reading a
#: large binary file whole.
SNIFF_BYTES = 4096
#: A head whose share of control bytes (other than tab, newlines, form feed and
#: ESC) exceeds this is binary. Text in any ASCII-compatible charset has almost
#: none; near-random data (compressed, images) has ~10.5%, and nearly always a
#: NUL byte too, which alone marks a head as binary.
CONTROL_SHARE_MAX = 0.05

# HTML tags a page or fragment is made of; ``(?=[\s>/])`` keeps ``<p`` from matching ``<pre``/``<path``.
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|div|p|meta|title|table|article|section|span|br|h[1-6]|ul|ol|a|img"
    r"|script|style|link|form|header|nav|main|footer)(?=[\s>/])",
    re.IGNORECASE,
)
_STRONG_MARKUP = re.compile(r"<(?:!doctype\s+html|html)(?=[\s>])", re.IGNORECASE)
# Control bytes that mark binary data: C0 and DEL, but not \t \n \v \f \r nor ESC (ISO-2022 escapes).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"


def sniff_kind(head: bytes) -> RawKind | None:
    """Classify the first bytes of an input: ``"html"``, ``"text"``, or ``None`` for binary.

    A byte-order mark or a BOM-less UTF-16 ``<`` is honoured, so UTF-16/32
    pages (which are full of NUL bytes) are not mistaken for binary data.
    """
    for bom, codec in BOMS:
        if head.startswith(bom):
            text = head[len(bom) :].decode(codec, "ignore")
            break
    else:
        if head[:2] in (b"<\x00", b"\x00<"):
            text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "ignore")
        elif b"\x00" in head or len(head) - len(head.translate(None, _CONTROL)) > CONTROL_SHARE_MAX * len(head):
            return None
        else:
            text = head.decode("latin-1")
    stripped = text.lstrip()
    if _STRONG_MARKUP.search(text) or (stripped.startswith("<") and _MARKUP.search(text)):
        return "html"
    return "text"
