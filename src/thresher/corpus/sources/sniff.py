"""What an input is, from its first bytes: HTML, a text dump, a WARC archive,
JSON Lines, gzip-compressed data, or other binary data.

Shared by the readers (:mod:`.files` for files and stdin, :mod:`.warc` for a
response without a Content-Type) and by the ``extract`` and ``clean``
commands, which tell a user who gave them the wrong kind of input which
command reads it. Whether bytes are binary at all is the kernel's test
(:func:`thresher.decode.binary_kind`), the one the extractor and the cleaner
apply too. (:func:`gunzip` is :mod:`.inflate`'s, for those commands.)
"""

from __future__ import annotations

import re
import zlib
from typing import Literal

from ...decode import BOMS, GZIP_MAGIC, binary_kind
from . import RawKind
from .inflate import gunzip

__all__ = [
    "GZIP_PEEK_BYTES",
    "SNIFF_BYTES",
    "InputFormat",
    "gunzip",
    "gunzip_head",
    "has_markup",
    "sniff_format",
    "sniff_kind",
]

#: How much of a file of unknown type is read to decide what it is. Markup
#: declares itself in its first few hundred bytes; 4 KB also gets past a long
#: preamble (BOM, whitespace, comments, an XML declaration) without reading a
#: large binary file whole.
SNIFF_BYTES = 4096
#: Compressed bytes inflated to sniff what a gzip stream holds: its first
#: ``SNIFF_BYTES`` come out of the first few KB of any gzip stream.
GZIP_PEEK_BYTES = 1 << 16

#: What :func:`sniff_format` tells apart.
InputFormat = Literal["html", "text", "warc", "jsonl", "gzip", "binary"]

# HTML tags a page or fragment is made of; ``(?=[\s>/])`` keeps ``<p`` from matching ``<pre``/``<path``.
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|div|p|meta|title|table|article|section|span|br|h[1-6]|ul|ol|a|img"
    r"|script|style|link|form|header|nav|main|footer)(?=[\s>/])",
    re.IGNORECASE,
)
_STRONG_MARKUP = re.compile(r"<(?:!doctype\s+html|html)(?=[\s>])", re.IGNORECASE)
# A WARC record starts with its version line; a JSON Lines dump with an object.
_WARC = re.compile(rb"WARC/\d\.\d\r?\n")
_JSON_OBJECT = re.compile(r'\s*\{\s*"')


def _head_text(head: bytes) -> str:
    """The head of a text input as characters (BOM and BOM-less UTF-16 honoured,
    else Latin-1: only ASCII markup is looked for)."""
    for bom, codec in BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "ignore")
    return head.decode("latin-1")


def sniff_format(head: bytes) -> InputFormat:
    """Classify the first bytes of an input (``SNIFF_BYTES`` is enough).

    ``"html"`` is markup that starts with a tag (or declares itself with a
    doctype or ``<html>`` anywhere in the head); ``"text"`` is anything else
    that is text, a plain-text dump, or text with a stray tag further in.
    """
    if _WARC.match(head):  # before the binary test: its records carry images too
        return "warc"
    if binary_kind(head) is not None:
        return "gzip" if head.startswith(GZIP_MAGIC) else "binary"
    text = _head_text(head)
    if _JSON_OBJECT.match(text):
        return "jsonl"
    if _STRONG_MARKUP.search(text) or (text.lstrip().startswith("<") and _MARKUP.search(text)):
        return "html"
    return "text"


def sniff_kind(head: bytes) -> RawKind | None:
    """The kind of one page from its first bytes: ``"html"``, ``"text"``, or ``None`` for binary.

    A byte-order mark or a BOM-less UTF-16 ``<`` is honoured, so UTF-16/32
    pages (which are full of NUL bytes) are not mistaken for binary data. A
    WARC record or a JSON object read as one page is text.
    """
    fmt = sniff_format(head)
    if fmt in ("gzip", "binary"):
        return None
    return "html" if fmt == "html" else "text"


def gunzip_head(data: bytes) -> bytes:
    """The first ``SNIFF_BYTES`` of what the gzip stream ``data`` starts holds
    (``GZIP_PEEK_BYTES`` of it are enough), to sniff. Raises ``ValueError``
    for a corrupt stream."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, SNIFF_BYTES)
    except zlib.error as exc:
        raise ValueError(f"corrupt gzip data ({exc})") from None


def has_markup(head: bytes | str) -> bool:
    """Whether the head of an input holds an HTML tag anywhere: without one it
    is plain text, and the HTML extractor would read it as one block."""
    return _MARKUP.search(head if isinstance(head, str) else _head_text(head)) is not None
