"""Parse once: HTML text -> a Lexbor tree that segmentation and metadata share.

Lexbor follows the HTML5 tree-building algorithm, in which every block-level
start or end tag scans the stack of open elements: 100,000 nested ``<div>``s
take a minute to parse. Lexbor's ``<select>`` is quadratic too, in its
options: 20,000 ``<option>``s take 2.4 s, 100,000 a minute. And its attribute
insertion is quadratic in the attributes of one element: one tag with 40,000
distinct attributes (630 kB) takes 9 s. ``parse`` therefore bounds all three
first, keeping ordinary pages on a fast path:

1. ``_cap_attributes``: one possessive regex scan over the markup, as the
   HTML tokenizer reads it (quoted values, comments, and the raw text of
   ``<script>``, ``<style>``... skipped), stops at the first tag with more
   than ``MAX_ATTRIBUTES`` attributes; such tags keep their first
   ``MAX_ATTRIBUTES``. (~0.4 ms for a 190 kB page; linear, since every tag is
   consumed once.)
2. ``_scan_tags``: over the positions of ``<`` only (NumPy, ~0.2 ms for a
   350 kB page), the highest running count of start tags minus end tags, and
   the number of tags whose name starts with "opt". The balance over-counts
   depth (void elements like ``<br>`` never close), so both only decide
   whether step 3 is needed.
3. ``_limit_tags``: a tag scan that drops block-level start tags (and their
   matching end tags) deeper than ``MAX_BLOCK_DEPTH``, and ``<option>`` and
   ``<optgroup>`` tags after the first ``MAX_OPTIONS``; their text is kept.
   (Option text is never article text: segmentation skips ``<select>``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from .._native import checked_core

__all__ = ["parse", "page_nodes", "PageNodes", "MAX_ATTRIBUTES", "MAX_BLOCK_DEPTH"]

#: Block-level nesting kept by the parser. Real pages of the bench nest block
#: elements at most ~60 deep; 512 leaves a wide margin and parses in
#: milliseconds even when every level is a <div>.
MAX_BLOCK_DEPTH = 512
#: Step 2 runs when the open/close balance exceeds this. Pages with thousands of
#: void elements (<br>, <img>) reach it without being deep; they pay ~10 ms.
BALANCE_TRIGGER = 1500
#: ... or when a page has more ``<option>``/``<optgroup>`` tags than this; the
#: rest are dropped. The bench's largest has 1,854 (a product filter);
#: 4,000 options in one ``<select>`` parse in 0.06 s.
MAX_OPTIONS = 4000
#: Attributes kept on one tag; the rest are dropped before Lexbor sees them.
#: The bench's pages have at most 14 real ones on an element, and 151 where a
#: broken quote turned a reader comment's words into attributes; Lexbor parses
#: 1.9 MB of tags with 256 distinct attributes each in 0.25 s (1,000 each:
#: 0.9 s; one tag of 40,000: 9 s).
MAX_ATTRIBUTES = 256

# Start tags whose handling scans the open-element stack, and which nest.
_NESTING_BLOCKS = frozenset(
    "div section article aside nav header footer main blockquote ul ol dl figure form fieldset center "
    "details table address hgroup menu dir summary figcaption pre listing search dialog".split()
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]+")
# every byte but those: ``bytes.translate`` deleting them leaves only the controls
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.fullmatch(bytes([b])))
# The tags ``_limit_tags`` may drop, and only those: a page of 500,000 ``<b>``s
# reaches the balance trigger, and a callback per tag would cost 0.3 s.
_LIMITED = "|".join(sorted(_NESTING_BLOCKS | {"option", "optgroup"}))
_TAG = re.compile(rf"<(/?)((?i:{_LIMITED}))(?![a-zA-Z0-9])[^<>]*>")
_ALPHA = np.zeros(256, dtype=bool)
_ALPHA[ord("a") : ord("z") + 1] = True
_ALPHA[ord("A") : ord("Z") + 1] = True


# --- attributes per tag (``_cap_attributes``). Every quantifier is possessive
# (one way to match, no backtracking), so each byte is read a bounded number of times.
_WS = rb" \t\n\f\r"  # HTML's whitespace
_SEP = _WS + b"/"  # "/" separates attributes too
# One attribute as the HTML tokenizer reads it: separators, a name (to a
# separator, ">" or "="; "=" may open it), then "=" and a value, quoted or not.
# Only a quote right after "=" opens a quoted value.
_ATTRIBUTE = rb"""[%(sep)s]*+[^%(sep)s>][^%(sep)s>=]*+(?:[%(ws)s]*+=[%(ws)s]*+%(value)s)?+""" % {
    b"ws": _WS,
    b"sep": _SEP,
    b"value": rb"""(?:"[^"]*+"|'[^']*+'|[^%s>"'][^%s>]*+)?+""" % (_WS, _WS),
}
# Elements whose content the tokenizer reads as text, up to their end tag; and
# the one whose content is text up to the end of the page.
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_REST_TEXT = "plaintext"


def _capped(max_attributes: int) -> bytes:
    """The rest of a tag with at most ``max_attributes`` attributes (a longer one fails)."""
    return rb"(?:%s){0,%d}+[%s]*+(?:>|\Z)" % (_ATTRIBUTE, max_attributes, _SEP)


def _raw_content(name: str) -> bytes:
    return rb"[^<]*+(?:<(?!/(?i:%s)[%s>])[^<]*+)*+" % (name.encode(), _SEP)


def _markup_pattern(max_attributes: int) -> re.Pattern:
    """The longest run of tokens from a position: it stops before a tag with
    more than ``max_attributes`` attributes."""
    capped = _capped(max_attributes)
    raw_elements = [
        *(rb"(?i:%s)(?=[%s>])%s%s" % (n.encode(), _SEP, capped, _raw_content(n)) for n in _RAW_TEXT),
        rb"(?i:%s)(?=[%s>])%s(?s:.*+)" % (_REST_TEXT.encode(), _SEP, capped),  # the rest of the page is text
    ]
    first_letters = "".join(sorted({n[0] + n[0].upper() for n in (*_RAW_TEXT, _REST_TEXT)})).encode()
    tokens = [
        rb"[^<]++",  # text
        rb"<(?!/?[a-zA-Z]|!--)",  # a "<" that opens no tag nor comment is text
        # a raw-text element, tried first where the tag's first letter may start one
        rb"<(?=[%s])(?:%s)" % (first_letters, b"|".join(raw_elements)),
        # any other start or end tag (the tokenizer reads an end tag's attributes too)
        rb"</?[a-zA-Z][^%s>]*+%s" % (_SEP, capped),
        rb"<!--[^-]*+(?:-(?!->)[^-]*+)*+(?:-->)?",  # a comment
    ]
    return re.compile(rb"(?:%s)*+" % b"|".join(tokens))


_MARKUP = _markup_pattern(MAX_ATTRIBUTES)
# a tag's name and its first MAX_ATTRIBUTES attributes; the attributes after them
_HEAD = re.compile(rb"</?([a-zA-Z][^%s>]*+)(?:%s){%d}" % (_SEP, _ATTRIBUTE, MAX_ATTRIBUTES))
_MORE_ATTRIBUTES = re.compile(rb"(?:%s)*+" % _ATTRIBUTE)
# the end of a raw-text start tag and its content
_RAW_REST = {
    **{n.encode(): re.compile(rb"[%s]*+(?:>|\Z)%s" % (_SEP, _raw_content(n))) for n in _RAW_TEXT},
    _REST_TEXT.encode(): re.compile(rb"(?s:.*+)"),
}


def _cap_attributes(html: bytes) -> bytes:
    """``html`` with every tag cut to its first ``MAX_ATTRIBUTES`` attributes."""
    at = _markup_end(html, 0)
    if at == len(html):  # the fast path: no tag has too many
        return html
    pieces, kept = [], 0
    while at < len(html):  # at a tag with more than MAX_ATTRIBUTES attributes
        head = _HEAD.match(html, at)
        if head is None:  # cannot happen (``_MARKUP`` stops only there); keep the rest as is
            break
        pieces.append(html[kept : head.end()])
        kept = _MORE_ATTRIBUTES.match(html, head.end()).end()
        rest = _RAW_REST.get(head.group(1).lower()) if html[at + 1] != 0x2F else None  # not "</"
        at = _markup_end(html, rest.match(html, kept).end() if rest else kept)
    pieces.append(html[kept:])
    return b"".join(pieces)


def _markup_end(html: bytes, pos: int) -> int:
    """Where ``_MARKUP`` stops from ``pos``: before the first tag with more than
    ``MAX_ATTRIBUTES`` attributes, or at the end (in C where the compiled core
    is built: ``_core.markup_end``, the same tokens, ~10x faster)."""
    if _CORE is not None:
        return _CORE.markup_end(html, pos, MAX_ATTRIBUTES, _RAW_NAMES, _REST_TEXT.encode())
    return _MARKUP.match(html, pos).end()


_RAW_NAMES = tuple(n.encode() for n in _RAW_TEXT)
#: Markup that takes every branch of the scan (attributes quoted, unquoted,
#: unclosed, "=" first; raw-text elements and their false ends; comments
#: closed and not; "<" as text): the compiled scan is used only when it stops
#: where ``_MARKUP`` does on each of these, every cap of attributes and start.
_PROBE_MARKUP = (
    b"<p a=1 b='x>y' c=\"q\" =d e = f/g/>t < x <!-- c -- -> --->"
    b"<SCRIPT type=x>a</scriptx></script ><style>s</STYLE\t>"
    b"<title a b c d>t</title><x-y \"q=1 'r>a</ y z><!x><plaintext>rest <p>",
    b"<div a b c d e>x</div><iframe src='a' b c d e f>",
    b"<p a='unclosed b=2 c d e f>g<!--",
    b"<textarea a=1>",
)


def _check_core(core) -> None:
    """Raise unless ``core.markup_end`` stops where the pattern does on ``_PROBE_MARKUP``."""
    for max_attributes in (0, 1, 3, MAX_ATTRIBUTES):
        pattern = _markup_pattern(max_attributes)
        for html in _PROBE_MARKUP:
            for pos in range(len(html) + 1):
                got = core.markup_end(html, pos, max_attributes, _RAW_NAMES, _REST_TEXT.encode())
                if got != pattern.match(html, pos).end():
                    raise ImportError(f"its attribute scan stops elsewhere on {html[pos:]!r}")


_CORE = checked_core("attribute scan", _check_core)


def _scan_tags(html: bytes) -> tuple[int, int]:
    """(highest running balance of start minus end tags, number of tags named "opt...")."""
    raw = np.frombuffer(html, dtype=np.uint8)
    lt = np.flatnonzero(raw[:-3] == 0x3C)
    if lt.size == 0:
        return 0, 0
    nxt = raw[lt + 1]
    step = _ALPHA[nxt].astype(np.int32) - (nxt == 0x2F)
    # ASCII letters lower-case with 0x20 set; "opt" starts option and optgroup
    opt = ((nxt | 0x20) == 0x6F) & ((raw[lt + 2] | 0x20) == 0x70) & ((raw[lt + 3] | 0x20) == 0x74)
    return int(np.cumsum(step).max()), int(np.count_nonzero(opt))


def _limit_tags(html: str, max_depth: int, max_options: int) -> str:
    depth = options = 0
    dropped: dict[str, int] = {}

    def sub(m: re.Match) -> str:
        nonlocal depth, options
        name = m.group(2).lower()
        if name == "option" or name == "optgroup":
            options += not m.group(1)
            return m.group(0) if options <= max_options else ""
        if m.group(1):  # end tag
            if dropped.get(name):
                dropped[name] -= 1
                return ""
            depth = max(depth - 1, 0)
            return m.group(0)
        if m.group(0).endswith("/>"):
            return m.group(0)
        if depth >= max_depth:
            dropped[name] = dropped.get(name, 0) + 1
            return ""
        depth += 1
        return m.group(0)

    return _TAG.sub(sub, html)


def parse(html: str) -> LexborHTMLParser:
    """Parse ``html`` with Lexbor's HTML5 parser (control characters removed; attributes per tag,
    nesting and options bounded)."""
    # Lexbor reads UTF-8: encode once (lone surrogates dropped, as selectolax
    # does for a str) and work on the bytes. No control byte occurs inside a
    # UTF-8 multi-byte sequence, so removing them byte by byte is exact.
    raw = html.encode("utf-8", "ignore")
    # C0 controls other than tab, newlines and form feed are never text (HTML
    # forbids them; binary junk decoded as a page is full of them). A regex
    # scan of a 350 kB page costs ~5 ms; the translate check ~0.1 ms.
    if raw.translate(None, _NOT_CONTROL):
        raw = _CONTROL.sub(b"", raw)
    raw = _cap_attributes(raw)
    balance, options = _scan_tags(raw)
    if balance > BALANCE_TRIGGER or options > MAX_OPTIONS:
        raw = _limit_tags(raw.decode("utf-8"), MAX_BLOCK_DEPTH, MAX_OPTIONS).encode("utf-8")
    return LexborHTMLParser(raw)


# The elements that page-level readers (hints, metadata) look up, found in one
# pass: each CSS query walks the whole tree (~0.1 ms on a news page), and the
# readers would otherwise make ten of them.
_PAGE_NODES = "meta, script, link, time, title, article, h1, [itemprop]"


@dataclass(slots=True)
class PageNodes:
    """A page's ``<meta>``, ``<script>``, ``<link>``, ``<time>`` and ``itemprop`` elements, in document order."""

    meta: list = field(default_factory=list)
    scripts: list = field(default_factory=list)
    links: list = field(default_factory=list)
    times: list = field(default_factory=list)
    itemprop: list = field(default_factory=list)
    title: object = None  # the first <title>
    n_article: int = 0
    n_h1: int = 0

    def scripts_of_type(self, mime: str) -> list:
        """Scripts whose ``type`` is ``mime`` (ASCII case-insensitive, as CSS matches it in HTML)."""
        return [n for n in self.scripts if (n.attributes.get("type") or "").lower() == mime]

    def links_rel(self, rel: str) -> list:
        return [n for n in self.links if (n.attributes.get("rel") or "").lower() == rel]

    def with_itemprop(self, prop: str) -> list:
        return [n for n in self.itemprop if n.attributes.get("itemprop") == prop]


def page_nodes(tree) -> PageNodes:
    """Collect ``PageNodes`` from a parsed page in one walk."""
    out = PageNodes()
    seen: set[int] = set()
    lists = {"meta": out.meta, "script": out.scripts, "link": out.links, "time": out.times}
    for node in tree.css(_PAGE_NODES):
        key = node.mem_id
        if key in seen:  # Lexbor returns an element once per selector it matches
            continue
        seen.add(key)
        tag = node.tag
        if tag in lists:
            lists[tag].append(node)
        elif tag == "title":
            if out.title is None:
                out.title = node
        elif tag == "article":
            out.n_article += 1
        elif tag == "h1":
            out.n_h1 += 1
        if "itemprop" in node.attributes:
            out.itemprop.append(node)
    return out
