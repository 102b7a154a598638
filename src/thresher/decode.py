"""Bytes -> text: pick the right charset for a scraped page, and never raise.

Real crawls hold cp1252, cp1251, KOI8-R, Shift-JIS, GB2312/GBK/GB18030, EUC-KR,
UTF-16 pages, and, often, pages that *declare* one charset while being stored in
another (a CMS migrated to UTF-8 but kept its old ``<meta charset=iso-8859-1>``,
a proxy stamped ``charset=utf-8`` on a cp1252 page...). :func:`decode` weighs the
evidence in this order:

1. **Byte-order mark** (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE). A BOM is the bytes
   describing themselves, so it wins over everything; it is stripped from the
   text. A BOM-less UTF-16/UTF-32 page that starts with markup (``<`` followed
   by NUL bytes, the XML spec's Appendix F signatures) is treated the same way,
   because no ASCII-compatible charset can produce that pattern in real text.
2. **Declared candidates**, in this order: the HTTP charset (``http_charset``,
   from a Content-Type header or a WARC record: the server's word, which
   browsers also rank above the page's), then the document's own declarations
   found in its first :data:`HEAD_BYTES` bytes (``<meta charset>``,
   ``<meta http-equiv="Content-Type" content="...; charset=...">``, and an
   ``<?xml ... encoding="..."?>`` declaration), in document order. The head is
   scanned with compiled bytes regexes; the page is never decoded to find them.
   Labels are normalised the WHATWG way (``iso-8859-1``/``ascii`` -> cp1252,
   ``gb2312``/``gbk`` -> gb18030, ``shift_jis`` -> cp932, ``euc-kr`` -> cp949,
   ...). Unknown labels, non-text codecs (``base64``...) and ``utf-7`` are
   ignored. As in browsers, a UTF-16/32 label inside the document means UTF-8
   (the page could not have been read as ASCII to find the label otherwise).
3. **Validation**, because declarations lie. A candidate is accepted only if the
   bytes decode under it with ``errors="strict"``. And if the bytes are valid
   UTF-8 and contain non-ASCII bytes, UTF-8 wins over *any* declared legacy
   charset (single-byte like cp125x/iso-8859-x/koi8, and multi-byte too): a
   sizeable run of multi-byte UTF-8 almost never happens by accident, whereas
   single-byte charsets accept every byte string and gb18030 accepts most UTF-8
   Cyrillic, so "it decodes" proves nothing for them. A declared UTF-16/32
   without a BOM must additionally look like it (NUL bytes in the head). A
   character cut in half by the end of the input does not disqualify a charset
   (crawlers truncate pages at a byte limit); it becomes U+FFFD.
4. **Fallback** when nothing is declared or every candidate fails: strict UTF-8
   (the common case, and one C-speed pass); otherwise ``charset_normalizer``
   sniffs a bounded sample (:data:`SNIFF_BYTES` starting at the first non-ASCII
   byte, so a long ASCII ``<head>`` does not leave it nothing to look at), and
   the whole input is decoded with the sniffed charset and ``errors="replace"``.
   Among equally good guesses the one most common on the web wins (cp1252 over
   cp1250 for French text, which the two encode identically but for a few
   letters). Last resort: cp1252 with U+FFFD for its five undefined bytes.

Reported names are Python codec names (``codecs.lookup(...).name``): ``"utf-8"``,
``"cp1252"``, ``"cp1251"``, ``"koi8-r"``, ``"cp932"``, ``"gb18030"``, ``"cp949"``,
``"utf-16-le"``... Two conventions:

* Empty input -> ``("", "utf-8")``.
* Pure-ASCII input -> always reported as ``"ascii"``, whatever was declared
  (every ASCII-compatible charset decodes it to the same text, so naming the
  declaration would claim evidence we do not have). The exceptions are the
  charsets whose bytes *are* ASCII: a declared UTF-16/32 that passes the NUL
  check, and a declared 7-bit stateful charset (ISO-2022-*, HZ) when the bytes
  contain its escape sequences.

NUL bytes are left in the text for the caller (``parse`` removes them).
:func:`decode` never raises on bytes input, and every sniff is bounded, so a
50 MB page of binary garbage costs one sample sniff plus one linear decode.

:func:`binary_kind` says, before any decoding, whether bytes are not text at
all (compressed data, an image, a PDF, random bytes): decoding those "works"
under a single-byte charset and gives mojibake, so the extractor and the
cleaner refuse them first, and the corpus readers share the same test.
"""

from __future__ import annotations

import codecs
import functools
import re

__all__ = [
    "BINARY_CHECK_BYTES",
    "BOMS",
    "CONTROL_SHARE_MAX",
    "GZIP_MAGIC",
    "binary_kind",
    "decode",
    "split_content_type",
]

#: Bytes of the document scanned for a ``<meta>``/XML charset declaration.
#: WHATWG's prescan looks at 1024 bytes, but pages often push the ``<meta>``
#: down with comments, inline scripts and ``<link>`` lists; 4 KB allows for
#: that while the regex scan stays at a few microseconds (tens on adversarial
#: input such as thousands of unterminated ``<meta`` tags).
HEAD_BYTES = 4096

#: Bytes handed to ``charset_normalizer`` when sniffing. Its cost grows with
#: the sample (about 3 ms for 64 KB of Cyrillic text, ~1 ms for 64 KB of random
#: bytes); one paragraph of prose is already detected reliably, and 64 KB
#: leaves room for pages whose prose is diluted by markup, while keeping a
#: 50 MB input as cheap to sniff as a 64 KB one. The sample starts at the first
#: non-ASCII byte, so a long ASCII head does not use it up.
SNIFF_BYTES = 65536

#: When cutting the sniff sample, look this far back from its end for a byte
#: that cannot be inside a multi-byte character (so the sample does not end
#: with half a character, which would count against the right charset).
_CUT_SEARCH_BYTES = 1024

# <meta ... charset=X> covers both <meta charset="X"> and
# <meta http-equiv="Content-Type" content="text/html; charset=X">.
_META_RE = re.compile(
    rb"""<meta\b[^<>]{0,1024}?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:()+-]{1,64})""",
    re.IGNORECASE,
)
_XML_RE = re.compile(
    rb"""\A\s{0,64}<\?xml\b[^>]{0,256}?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:()+-]{1,64})""",
    re.IGNORECASE,
)
_CHARSET_PARAM_RE = re.compile(r"""\bcharset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# BOM-less UTF-16/32 markup: "<" then "?", "!" or a letter, as wide characters.
_WIDE_SIGNATURE_RE = re.compile(
    rb"(<\x00\x00\x00[!?A-Za-z]\x00\x00\x00)|(\x00\x00\x00<\x00\x00\x00[!?A-Za-z])"
    rb"|(<\x00[!?A-Za-z]\x00)|(\x00<\x00[!?A-Za-z])"
)
_WIDE_SIGNATURE_CODECS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")

_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_SEVEN_BIT_STATEFUL = frozenset(
    {
        "iso2022_jp",
        "iso2022_jp_1",
        "iso2022_jp_2",
        "iso2022_jp_2004",
        "iso2022_jp_3",
        "iso2022_jp_ext",
        "iso2022_kr",
        "hz",
    }
)

# WHATWG labels that Python does not know (or spells differently), -> a Python codec.
_LABEL_ALIASES: dict[str, str] = {
    "x-cp1252": "cp1252",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csiso58gb231280": "gb18030",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "shift-jis": "cp932",
    "x-euc-jp": "euc_jp",
    "cseucpkdfmtjapanese": "euc_jp",
    "ks_c_5601-1989": "cp949",
    "ksc_5601": "cp949",
    "windows-949": "cp949",
    "csksc56011987": "cp949",
    "iso-ir-149": "cp949",
    "x-windows-949": "cp949",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "koi": "koi8-r",
    "koi8": "koi8-r",
    "cskoi8r": "koi8-r",
    "koi8-ru": "koi8-u",
    "windows-874": "cp874",
    "dos-874": "cp874",
    "unicode": "utf-16-le",
    "ucs-2": "utf-16-le",
    "csunicode": "utf-16-le",
    "iso-10646-ucs-2": "utf-16-le",
    "unicodefeff": "utf-16-le",
    "unicodefffe": "utf-16-be",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "mac": "mac-roman",
    "x-mac-roman": "mac-roman",
    "csmacintosh": "mac-roman",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
}
# Python's canonical codec name -> the superset browsers actually use for it.
_CANONICAL_OVERRIDES: dict[str, str] = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "utf-8-sig": "utf-8",
}
# Text codecs that are not page charsets (or, for utf-7, that browsers refuse).
_REJECTED = frozenset(
    {"utf-7", "undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "charmap", "mbcs", "oem"}
)

#: Tie-break among equally good sniffed guesses: the charsets most used by
#: legacy (non-UTF-8) pages, most common first.
_SNIFF_PREFERENCE = (
    "cp1252",
    "gb18030",
    "cp1251",
    "cp932",
    "cp949",
    "big5hkscs",
    "cp1250",
    "cp1256",
    "cp1254",
    "koi8-r",
    "euc_jp",
    "cp1253",
    "cp1255",
    "cp874",
    "cp1257",
    "cp1258",
)
_TIE_CHAOS = 0.005
_TIE_COHERENCE = 0.01

# How Python's codecs report input that ends in the middle of a character.
_TRUNCATION_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})
_MAX_CHAR_BYTES = 4

# cp1252 with U+FFFD for its five undefined bytes, as a table: charmap_decode
# with a full table never errors, and is 3-4x faster than errors="replace" on
# garbage (where the error handler would run for ~2% of the bytes).
_CP1252_TABLE = bytes(range(256)).decode("cp1252", "replace")

# -- binary input -------------------------------------------------------------

#: Bytes looked at to tell binary data from text. Magic numbers sit in the
#: first bytes; 4 KB of text holds enough characters that a stray control
#: byte or two stays far under ``CONTROL_SHARE_MAX``, and a binary file has
#: shown its NULs long before.
BINARY_CHECK_BYTES = 4096
#: A head whose share of control bytes (other than tab, newlines, form feed and
#: ESC) exceeds this is binary. Text in any ASCII-compatible charset has almost
#: none; near-random data (compressed, images) has ~10.5%, and nearly always a
#: NUL byte too, which alone marks a head as binary.
CONTROL_SHARE_MAX = 0.05
#: A head without a BOM can be UTF-16 text when at least this share of the
#: bytes at one parity are NUL (every ASCII character: a space, a newline,
#: markup) and at most ``WIDE_OTHER_NUL_MAX`` at the other; it is, when so
#: decoded it has few control characters. Random bytes have ~0.4 % NULs at
#: each parity; English UTF-16 ~100 % at one, CJK text with a space or an
#: ASCII mark every ten characters still ~10 %.
WIDE_NUL_MIN = 0.08
WIDE_OTHER_NUL_MAX = 0.02
GZIP_MAGIC = b"\x1f\x8b"
# Magic numbers of the binary files found among scraped "pages": compressed
# data, archives, documents and images. No text starts with one of them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (GZIP_MAGIC, "gzip-compressed data"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_WEBP = re.compile(rb"RIFF....WEBP", re.DOTALL)
# Control bytes that mark binary data: C0 and DEL, but not \t \n \v \f \r nor ESC (ISO-2022 escapes).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_CONTROL_CHARS = frozenset(_CONTROL.decode("latin-1") + "\ufffd")  # and what does not decode


def binary_kind(data: bytes, *, http_charset: str | None = None) -> str | None:
    """What ``data`` is when it is not text ("gzip-compressed data", "a PNG
    image", "binary data"), or ``None`` when it can be a page or a dump.

    Looks at the first ``BINARY_CHECK_BYTES`` only. A byte-order mark, a
    UTF-16/32 charset from HTTP (a label or a whole Content-Type), or NUL
    bytes laid out as UTF-16/32 text lays them out, is text: those pages are
    full of NULs."""
    head = bytes(data[:BINARY_CHECK_BYTES])
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if _BZIP2.match(head):
        return "bzip2-compressed data"
    if _WEBP.match(head):
        return "a WebP image"
    if not head or any(head.startswith(bom) for bom, _ in BOMS):
        return None
    if http_charset and _normalize(_http_label(http_charset)) in _WIDE:
        return None
    if b"\x00" not in head and len(head) - len(head.translate(None, _CONTROL)) <= CONTROL_SHARE_MAX * len(head):
        return None  # the usual page, at C speed
    return None if _wide_text(head) else "binary data"


def _wide_text(head: bytes) -> bool:
    """Whether a head without a BOM is UTF-16 or UTF-32 text: NUL bytes where
    those lay them out, and, so decoded, few control characters."""
    codec = _wide_codec(head)
    if codec is None:
        return False
    unit = 4 if codec.startswith("utf-32") else 2
    text = head[: len(head) - len(head) % unit].decode(codec, "replace")
    bad = sum(1 for c in text if c in _CONTROL_CHARS)
    return bad <= CONTROL_SHARE_MAX * len(text)


def _wide_codec(head: bytes) -> str | None:
    """The UTF-16/32 codec whose layout ``head``'s NUL bytes follow, if any."""
    lanes = [head[k::4].count(0) / max(len(head[k::4]), 1) for k in range(4)]
    if len(head) >= 8 and min(lanes[2], lanes[3]) >= 1 - WIDE_OTHER_NUL_MAX:
        return "utf-32-le"  # the two high bytes of every character are NUL
    if len(head) >= 8 and min(lanes[0], lanes[1]) >= 1 - WIDE_OTHER_NUL_MAX:
        return "utf-32-be"
    even, odd = head[0::2], head[1::2]
    even_nul, odd_nul = even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1)
    if odd_nul >= WIDE_NUL_MIN and even_nul <= WIDE_OTHER_NUL_MAX:
        return "utf-16-le"
    if even_nul >= WIDE_NUL_MIN and odd_nul <= WIDE_OTHER_NUL_MAX:
        return "utf-16-be"
    return None


def decode(data: bytes, *, http_charset: str | None = None) -> tuple[str, str]:
    """Decode a page's bytes; return (text, encoding_name).

    See the module docstring for the order of precedence. Never raises on
    bytes input; ``bytearray`` and ``memoryview`` are accepted too.
    """
    if not isinstance(data, bytes):
        if not isinstance(data, (bytearray, memoryview)):
            raise TypeError(f"decode() takes bytes, not {type(data).__name__}")
        data = bytes(data)
    try:
        return _decode(data, http_charset)
    except Exception:  # noqa: BLE001 - belt and braces: a codec misbehaving must not lose the page
        return _cp1252(data), "cp1252"


# -- the pipeline -------------------------------------------------------------
def _decode(data: bytes, http_charset: str | None) -> tuple[str, str]:
    if not data:
        return "", "utf-8"

    # 1. BOM, or a BOM-less UTF-16/32 markup signature.
    for bom, name in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    wide = _WIDE_SIGNATURE_RE.match(data)
    if wide is not None:
        name = _WIDE_SIGNATURE_CODECS[wide.lastindex - 1]  # type: ignore[operator]
        text = _strict(data, name)
        if text is not None:
            return text, name

    # 2. Declared candidates: HTTP first, then the document's head.
    candidates: list[str] = []
    if http_charset:
        enc = _normalize(_http_label(http_charset))
        if enc is not None:
            candidates.append(enc)
    for label in _declared_labels(data[:HEAD_BYTES]):
        enc = _normalize(label)
        if enc is None:
            continue
        if enc in _WIDE:  # found by an ASCII scan, so the page is not really UTF-16/32
            enc = "utf-8"
        if enc not in candidates:
            candidates.append(enc)

    # 3. Validate them.
    is_ascii = data.isascii()
    utf8: str | None = None
    utf8_tried = False
    for enc in candidates:
        if enc in _WIDE:
            text, name = _wide(data, enc)
            if text is not None:
                return text, name
            continue
        if is_ascii:
            if enc in _SEVEN_BIT_STATEFUL and (b"\x1b" in data or (enc == "hz" and b"~{" in data)):
                text = _strict(data, enc)
                if text is not None:
                    return text, enc
                continue
            return data.decode("ascii"), "ascii"
        if not utf8_tried:
            utf8, utf8_tried = _strict(data, "utf-8"), True
        if utf8 is not None:  # valid UTF-8 with non-ASCII bytes beats any declaration
            return utf8, "utf-8"
        if enc != "utf-8":
            text = _strict(data, enc)
            if text is not None:
                return text, enc

    # 4. Fallback: pure ASCII, strict UTF-8, sniff, cp1252.
    if is_ascii:
        return data.decode("ascii"), "ascii"
    if not utf8_tried:
        utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    enc = _sniff(data)
    if enc is not None:
        if enc in _WIDE:
            enc = _wide_endianness(data, enc)
        return data.decode(enc, "replace"), enc
    return _cp1252(data), "cp1252"


# -- helpers ------------------------------------------------------------------
def _strict(data: bytes, enc: str) -> str | None:
    """``data`` decoded under ``enc``, or ``None`` if it is not valid there.

    A character cut in half by the very end of the input is tolerated (it
    becomes U+FFFD): crawlers truncate pages at a byte limit, and that says
    nothing against the charset.
    """
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        if e.end == len(data) and e.start >= len(data) - _MAX_CHAR_BYTES and e.reason in _TRUNCATION_REASONS:
            # Everything before e.start decoded strictly; only the tail is replaced.
            return data[: e.start].decode(enc) + "\ufffd"
        return None
    except (UnicodeError, LookupError):
        return None


def _cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _http_label(value: str) -> str:
    """The charset in an HTTP value: a bare label, or a full Content-Type."""
    if "=" in value or ";" in value or "/" in value:
        return split_content_type(value)[1] or ""
    return value


def split_content_type(value: str | None) -> tuple[str, str | None]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "UTF-8")``: the media
    type in lower case ("" when missing) and the charset parameter, if any.
    The one reading of a Content-Type, for HTTP responses and WARC records alike."""
    if not value:
        return "", None
    m = _CHARSET_PARAM_RE.search(value)
    return value.split(";", 1)[0].strip().lower(), (m.group(1) if m else None)


def _declared_labels(head: bytes) -> list[str]:
    """Charset labels declared in ``head``, in document order (XML declaration first)."""
    found: list[str] = []
    m = _XML_RE.match(head)
    if m is not None:
        found.append(m.group(1).decode("ascii"))
    found.extend(g.decode("ascii") for g in _META_RE.findall(head))
    return found


@functools.lru_cache(maxsize=512)
def _normalize(label: str | bytes) -> str | None:
    """WHATWG-style label -> Python codec name, or ``None`` if unusable."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().strip("\"'").strip().lower()
    if not label or len(label) > 64:
        return None
    name = _LABEL_ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    name = _CANONICAL_OVERRIDES.get(info.name, info.name)
    if name in _REJECTED:
        return None
    return codecs.lookup(name).name


def _wide(data: bytes, enc: str) -> tuple[str | None, str]:
    """Validate a declared UTF-16/32 (no BOM): NUL bytes in the head, then strict."""
    if b"\x00" not in data[:HEAD_BYTES]:
        return None, enc
    enc = _wide_endianness(data, enc)
    return _strict(data, enc), enc


def _wide_endianness(data: bytes, enc: str) -> str:
    """``utf-16``/``utf-32`` without a BOM: pick LE/BE from where the NULs sit."""
    if enc not in ("utf-16", "utf-32"):
        return enc
    head = data[:HEAD_BYTES]
    if enc == "utf-16":
        return "utf-16-be" if head[0::2].count(0) > head[1::2].count(0) else "utf-16-le"
    return "utf-32-be" if head[0::4].count(0) > head[3::4].count(0) else "utf-32-le"


def _sample(data: bytes) -> bytes:
    """At most SNIFF_BYTES from the first non-ASCII byte, cut at a character boundary.

    The first non-ASCII byte always starts a character (every byte before it
    is ASCII). The end is cut just before a byte below 0x30 (newline, space,
    ``"``, ...), which no legacy multi-byte charset uses inside a character.
    """
    m = _NON_ASCII_RE.search(data)
    start = m.start() if m is not None else 0
    end = start + SNIFF_BYTES
    if end >= len(data):
        return data[start:]
    chunk = data[start:end]
    tail = chunk[-_CUT_SEARCH_BYTES:]
    for i in range(len(tail) - 1, -1, -1):
        if tail[i] < 0x30:
            return chunk[: len(chunk) - len(tail) + i]
    return chunk


def _sniff(data: bytes) -> str | None:
    """``charset_normalizer``'s best guess for a bounded sample, normalised."""
    try:
        import charset_normalizer
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    results = charset_normalizer.from_bytes(_sample(data))
    best = results.best()
    if best is None:
        return None
    choice = _normalize(best.encoding)
    # Equally good guesses (same chaos and coherence): prefer the commoner charset.
    tied: set[str] = set()
    for match in results:
        if abs(match.chaos - best.chaos) <= _TIE_CHAOS and abs(match.coherence - best.coherence) <= _TIE_COHERENCE:
            for label in match.could_be_from_charset:
                enc = _normalize(label)
                if enc is not None:
                    tied.add(enc)
    for enc in _SNIFF_PREFERENCE:
        if enc in tied:
            return enc
    return choice
