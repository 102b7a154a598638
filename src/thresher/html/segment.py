"""Segment a parsed page into blocks, in reading order, each with its DOM context.

One iterative walk over the ``<body>`` (no recursion: 100,000-deep nesting is
fine). A *block* is the text between two block-level boundaries (``<p>``,
``<div>``, ``<li>``, ``<h2>``, ``<br>``...): inline elements (``<a>``, ``<b>``,
``<span>``...) join their text into the block around them. For every block the
walk records what the classifier needs and cannot recover later: how much of its
text sits inside links, the tags and class/id keyword groups of its ancestors,
and the path of block-level containers it sits in (for container statistics).

Subtrees that never hold visible text (``<script>``, ``<style>``,
``<template>``, form controls) are skipped. Elements hidden by the ``hidden``
attribute or an inline ``display:none`` are walked but marked with the
"hidden" class group: usually chrome (menus, dialogs), yet some sites ship the
whole article hidden until a script reveals it. ``<noscript>`` is skipped
unless the page shows almost nothing without it (``segment_page``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborNode

from .._native import compiled_module
from ..types import Kind

__all__ = [
    "Segments",
    "segment",
    "segment_page",
    "CLASS_GROUPS",
    "TAG_GROUPS",
    "CORE_PATH",
    "CORE_NOTE",
]

# Subtrees that never hold visible article text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "select", "option", "optgroup", "textarea", "input", "head", "title", "meta",
        "link", "audio", "video", "source", "track", "map", "dialog", "datalist", "picture", "img",
    }
)  # fmt: skip

_SKIP_BUT_NOSCRIPT = SKIP_TAGS - {"noscript"}

#: A page whose walk finds less text than this (characters) is read again with
#: its ``<noscript>`` content: script-rendered sites (forum software, single-page
#: apps) ship the readable page there, for clients without JavaScript, and show
#: nothing else. Set from the bench pages: every page whose text sat in
#: ``<noscript>`` had at most about 200 characters outside it (a splash screen, a
#: "loading" line); the next page with ``<noscript>`` text had over 1,000.
NOSCRIPT_FALLBACK_CHARS = 400

# Elements that start and end a block.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "frameset", "frame", "noframes", "html",
    }
)  # fmt: skip

# Class/id keyword groups: the vocabulary site builders use for chrome and for
# content. A token matches a group exactly, or (for stems of five letters or
# more) as a substring, so "commentlist" and "social-share-bar" match too.
CLASS_GROUPS: dict[str, tuple[str, ...]] = {
    "nav": ("nav", "navbar", "navigation", "menu", "menus", "breadcrumb", "breadcrumbs", "crumbs", "skip", "toc", "jump", "submenu", "megamenu"),
    "footer": ("footer", "foot", "colophon", "copyright", "legal", "bottom", "disclaimer", "imprint"),
    "header": ("header", "masthead", "topbar", "branding", "logo", "banner", "top", "hero"),
    "share": ("share", "sharing", "social", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "print", "toolbar", "addthis", "sharethis", "tools"),
    "related": ("related", "recommend", "recommended", "recommendation", "recirculation", "more", "also", "readmore", "trending", "popular", "mostread", "outbrain", "taboola", "teaser", "upnext", "next", "suggest", "suggested"),
    "comment": ("comment", "comments", "disqus", "reply", "respond", "discussion", "replies", "talkback", "reactions"),
    "cookie": ("cookie", "cookies", "consent", "gdpr", "privacy", "onetrust", "notice", "cmp"),
    "sidebar": ("sidebar", "aside", "rail", "widget", "widgets", "secondary", "side", "right", "left", "column"),
    "ad": ("ad", "ads", "advert", "advertisement", "advertising", "sponsor", "sponsored", "dfp", "gpt", "doubleclick", "adsense", "adunit", "adslot", "promo", "commercial", "partner", "affiliate"),
    "subscribe": ("newsletter", "subscribe", "subscription", "signup", "register", "login", "paywall", "membership", "account", "follow", "cta", "form", "signin", "donate", "donation"),
    "meta": ("byline", "author", "authors", "date", "time", "timestamp", "meta", "metadata", "dateline", "published", "posted", "info", "details", "updated"),
    "tags": ("tag", "tags", "category", "categories", "topics", "topic", "keywords", "label", "labels"),
    "caption": ("caption", "credit", "credits", "figure", "photo", "image", "img", "media", "gallery", "thumbnail", "thumb", "video", "embed", "figcaption", "picture"),
    "pager": ("pagination", "pager", "paging", "pages", "prev", "previous", "older", "newer"),
    "hidden": ("hidden", "hide", "sronly", "sr", "visually", "screenreader", "offscreen", "invisible", "collapsed", "collapse"),
    "modal": ("modal", "popup", "overlay", "dialog", "lightbox", "drawer", "flyout", "tooltip", "popover"),
    "button": ("btn", "button", "icon", "icons", "link", "links", "action", "actions"),
    "content": ("article", "post", "entry", "story", "content", "body", "text", "main", "prose", "blog", "markdown", "richtext", "single", "copy", "paragraph", "articlebody", "postbody", "entrycontent", "storybody"),
    "title": ("title", "headline", "heading", "hed", "subtitle", "dek", "standfirst", "lede", "lead", "summary", "intro", "excerpt"),
    "list": ("list", "items", "item", "grid", "card", "cards", "feed", "stream", "collection", "tile", "tiles", "listing", "archive"),
    "bio": ("bio", "about", "profile", "contributor", "biography"),
}  # fmt: skip
CLASS_GROUP_NAMES = tuple(CLASS_GROUPS)

# Tag groups: one bit each, recorded for the element itself and its ancestors.
TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "nav": ("nav", "menu"),
    "footer": ("footer",),
    "header": ("header",),
    "aside": ("aside",),
    "form": ("form", "fieldset", "label", "button"),
    "article": ("article",),
    "main": ("main",),
    "section": ("section",),
    "figure": ("figure", "figcaption"),
    "list": ("ul", "ol", "dl", "li", "dt", "dd"),
    "table": ("table", "tr", "td", "th", "tbody", "thead", "tfoot"),
    "quote": ("blockquote", "q"),
    "pre": ("pre", "code"),
    "h1": ("h1",),
    "h": ("h2", "h3", "h4", "h5", "h6"),
    "em": ("strong", "b", "em", "i"),
    "time": ("time",),
    "address": ("address",),
    "p": ("p",),
    "a": ("a",),
}
TAG_GROUP_NAMES = tuple(TAG_GROUPS)
_TAG_BITS: dict[str, int] = {}
for _i, _tags in enumerate(TAG_GROUPS.values()):
    for _t in _tags:
        _TAG_BITS[_t] = _TAG_BITS.get(_t, 0) | (1 << _i)

_EXACT: dict[str, int] = {}
_STEM_BITS: dict[str, int] = {}
for _i, _words in enumerate(CLASS_GROUPS.values()):
    for _w in _words:
        _EXACT[_w] = _EXACT.get(_w, 0) | (1 << _i)
        if len(_w) >= 5:
            _STEM_BITS[_w] = _STEM_BITS.get(_w, 0) | (1 << _i)
#: stems by their first five letters, longest first: a dictionary probe per
#: position of a token finds them (a regex alternation of all stems tries each
#: one at each position, ~5x slower on the tokens of a page)
_STEM_LEN = 5
_STEMS_AT: dict[str, list[str]] = {}
for _w in sorted(_STEM_BITS, key=len, reverse=True):
    _STEMS_AT.setdefault(_w[:_STEM_LEN], []).append(_w)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_DIGITS = re.compile(r"\d+")
#: UTF-8 bytes of a lower-cased value -> tokens: every byte but a-z and 0-9
#: (non-ASCII characters included) separates tokens
_SEPARATORS = bytes(c if 0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A else 0x20 for c in range(256))


#: Only the first this many characters of a class/id token are scanned for
#: stems: real tokens ("commentlistcontainer") are far shorter, and a
#: megabyte-long one (an inlined blob) would otherwise cost a second.
MAX_TOKEN_SCAN = 100
#: The caches below keep only values (class, id and style attributes, tokens)
#: of at most this many characters, so they are bounded in bytes, not only in
#: entries: ~65 MB with every entry a 256-character ASCII key (each unique 20 kB
#: value kept would add 20 kB, for as long as the worker lives). 99.9 % of the
#: class values of the bench pages are shorter, and so are all their ids; a
#: longer value is rare enough that computing it again costs nothing.
MAX_CACHED_CHARS = 256


def _token_mask(tok: str) -> int:
    m = _EXACT.get(tok)
    if m is not None:
        return m
    # the stems inside the token, scanned left to right without overlaps,
    # the longest stem first at each position
    mask = 0
    i, last = 0, min(len(tok), MAX_TOKEN_SCAN) - _STEM_LEN
    while i <= last:
        for stem in _STEMS_AT.get(tok[i : i + _STEM_LEN], ()):
            if tok.startswith(stem, i):
                mask |= _STEM_BITS[stem]
                i += len(stem)
                break
        else:
            i += 1
    return mask


_cached_token_mask = lru_cache(maxsize=1 << 16)(_token_mask)


def _class_mask(value: str) -> int:
    # camelCase splits before an upper-case letter that follows a lower-case one
    value = value.lower() if value.islower() or value.isupper() else _CAMEL.sub(" ", value).lower()
    mask = 0
    for tok in value.encode("utf-8", "ignore").translate(_SEPARATORS).decode().split():
        mask |= _cached_token_mask(tok) if len(tok) <= MAX_CACHED_CHARS else _token_mask(tok)
    return mask


_cached_class_mask = lru_cache(maxsize=1 << 16)(_class_mask)


def class_mask(value: str) -> int:
    """Keyword-group bits of a class/id attribute value (pure; cached up to ``MAX_CACHED_CHARS``)."""
    return _cached_class_mask(value) if len(value) <= MAX_CACHED_CHARS else _class_mask(value)


def _class_signature(klass: str) -> str:
    """A class attribute with its digits removed ("card-1", "card-2": one signature)."""
    return _DIGITS.sub("", klass)


def _is_hidden_style(style: str) -> bool:
    s = style.replace(" ", "").lower()
    return "display:none" in s or "visibility:hidden" in s


_cached_hidden_style = lru_cache(maxsize=1 << 12)(_is_hidden_style)


def _hidden_style(style: str) -> bool:
    """Does an inline style hide its element? (cached up to ``MAX_CACHED_CHARS``)"""
    return _cached_hidden_style(style) if len(style) <= MAX_CACHED_CHARS else _is_hidden_style(style)


_HIDDEN_BIT = 1 << CLASS_GROUP_NAMES.index("hidden")
# attributes whose words name what an element is
_CLASS_ATTRS = frozenset(("class", "id", "role", "itemprop"))
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LIST_BIT = _TAG_BITS["li"]
_QUOTE_BIT = _TAG_BITS["blockquote"]
_PRE_BIT = 1 << TAG_GROUP_NAMES.index("pre")
_FIG_BIT = _TAG_BITS["figcaption"]


@dataclass(slots=True)
class Segments:
    """The blocks of one page, as parallel columns (cheap to turn into arrays)."""

    texts: list[str] = field(default_factory=list)
    kinds: list[Kind] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    link_chars: list[int] = field(default_factory=list)
    n_links: list[int] = field(default_factory=list)
    owner_tag: list[str] = field(default_factory=list)
    own_cls: list[int] = field(default_factory=list)  # class groups of the owner element
    near_cls: list[int] = field(default_factory=list)  # ... of the owner and its two parents
    anc_cls: list[int] = field(default_factory=list)  # ... of any ancestor
    near_tag: list[int] = field(default_factory=list)
    anc_tag: list[int] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    #: ids of the block-level containers around the block, outermost first
    paths: list[tuple[int, ...]] = field(default_factory=list)
    #: id of the <tr> when the block is a whole table cell, else -1
    row: list[int] = field(default_factory=list)
    #: per container id: how many siblings share its tag and class (itself included)
    sibling_repeats: list[int] = field(default_factory=list)
    #: per container id: how many containers of the whole page share its tag and class
    page_repeats: list[int] = field(default_factory=list)
    truncated: bool = False
    #: (block, container) pairs, built once by ``features`` and shared by both stages
    pairs: object = field(default=None, repr=False, compare=False)

    #: the columns with one entry per block (the others are per container)
    BLOCK_COLUMNS = (
        "texts", "kinds", "levels", "link_chars", "n_links", "owner_tag", "own_cls", "near_cls",
        "anc_cls", "near_tag", "anc_tag", "depth", "paths", "row",
    )  # fmt: skip

    def __len__(self) -> int:
        return len(self.texts)

    def keep_only(self, indices: list[int]) -> None:
        """Keep only the blocks at ``indices`` (in place; container columns stay)."""
        for name in self.BLOCK_COLUMNS:
            col = getattr(self, name)
            setattr(self, name, [col[k] for k in indices])
        self.pairs = None  # derived from the blocks: rebuilt on next use


# An open element during the walk, as a tuple (cheaper than an object): the
# Lexbor node, its tag, its id (0: the root; the ids of block-level elements
# name containers), whether it is block-level, its class groups and those of
# it and every ancestor, the same two for tag groups, and whether it is or
# sits inside an <a>, and a <pre>. (The "near" groups, of an element and its
# two parents, are read off the stack per block: ``_Walk.flush``.)
_NODE, _TAGN, _FID, _BLOCK, _CLS, _ANC_CLS, _TAG_BITS_I, _ANC_TAG, _LINK, _PRE = range(10)
_LIST_OWNERS = frozenset(("li", "dd", "dt", "p", "div", "span"))


def _kind(otag: str, level: int, near_tag: int, anc_tag: int, pre: bool) -> Kind:
    if anc_tag & _PRE_BIT and pre:
        return Kind.CODE
    if level:
        return Kind.HEADING
    if anc_tag & _FIG_BIT or otag == "caption":
        return Kind.CAPTION
    if anc_tag & _QUOTE_BIT:
        return Kind.QUOTE
    if near_tag & _LIST_BIT and otag in _LIST_OWNERS:
        return Kind.LIST_ITEM
    return Kind.PARAGRAPH


def segment(
    root, *, max_nodes: int = 400_000, max_blocks: int = 20_000, max_chars: int = 1_000_000, noscript: bool = False
) -> Segments:
    """Walk ``root`` (a Lexbor node, normally ``<body>``) and return its blocks.

    The walk stops (``Segments.truncated``) after ``max_nodes`` nodes,
    ``max_blocks`` blocks or ``max_chars`` characters of block text (the block
    that crosses it is cut), so pathological pages cost bounded time. With
    ``noscript``, ``<noscript>`` content is read like any other element."""
    seg = Segments()
    if root is None:
        return seg
    rows, opened, n_ids, truncated = _walk(root, noscript, max_nodes, max_blocks, max_chars)
    if rows:  # one tuple per block, turned into columns (one append per block instead of fourteen)
        for name, column in zip(Segments.BLOCK_COLUMNS, zip(*rows)):
            setattr(seg, name, list(column))
    seg.truncated = truncated
    repeats = CORE.container_repeats if CORE is not None else _container_repeats
    seg.sibling_repeats, seg.page_repeats = repeats(opened, n_ids)
    _merge_table_rows(seg)
    return seg


def _walk_python(root, noscript: bool, max_nodes: int, max_blocks: int, max_chars: int) -> tuple:
    """The walk in Python: ``(rows, opened, n_ids, truncated)``, what ``_Walk`` collects."""
    walk = _Walk(root, max_blocks, max_chars)
    walk.run(_SKIP_BUT_NOSCRIPT if noscript else SKIP_TAGS, max_nodes)
    return walk.rows, walk.opened, walk.n_ids, walk.truncated


def _walk(root, noscript: bool, max_nodes: int, max_blocks: int, max_chars: int) -> tuple:
    """The compiled walk (``thresher._core``) for a selectolax node when it is
    loaded, else the Python one; both give the same ``(rows, opened, n_ids, truncated)``."""
    if CORE is not None and type(root) is LexborNode:
        return CORE.walk(root.mem_id, noscript, max_nodes, max_blocks, max_chars)
    return _walk_python(root, noscript, max_nodes, max_blocks, max_chars)


class _Walk:
    """One walk over a tree (``run``), and what it collects: one row per block,
    in the order of ``Segments.BLOCK_COLUMNS``; each block-level element
    opened, as ``(id, tag, class attribute, parent container id)``; and the
    ``<tr>`` of each table cell (``row_of``: cell id -> row id).

    During the walk: the frames of the open elements (``stack``), of the open
    block-level ones (``owners``) and the ids of those (``path``: the block's
    containers), and the text nodes of the open block (``buf``). ``run`` keeps
    the rest of the open block's state in locals: ``has_text``, whether one of
    its text nodes is not all whitespace (a block boundary after only
    whitespace, as most are, the indentation between tags, skips ``flush``),
    and its links (``link_chars``, ``n_links``)."""

    __slots__ = (
        "stack", "owners", "path", "buf", "rows", "opened", "row_of", "room", "max_blocks", "truncated", "n_ids",
    )  # fmt: skip

    def __init__(self, root, max_blocks: int, max_chars: int):
        root_frame = (root, "body", 0, True, 0, 0, 0, 0, False, False)
        self.stack: list[tuple] = [root_frame]
        self.owners: list[tuple] = [root_frame]
        self.path: list[int] = [0]
        self.buf: list[str] = []
        self.rows: list[tuple] = []
        self.opened: list[tuple] = []
        self.row_of: dict[int, int] = {}
        self.room = max_chars  # characters of block text still to take
        self.max_blocks = max_blocks
        self.truncated = False
        self.n_ids = 0  # element ids handed out (block-level or not)

    def run(self, skip_tags: frozenset[str], max_nodes: int) -> None:
        """The text nodes below the root, joined into blocks: a block ends where
        a block-level element opens or closes, and at ``<br>``/``<hr>``. One
        iterative pass (no recursion), the open elements' frames on ``stack``."""
        stack, owners, path, buf = self.stack, self.owners, self.path, self.buf
        opened, row_of, flush = self.opened, self.row_of, self.flush
        top = stack[0]
        has_text = False
        link_chars = n_links = fid = seen = 0
        if self.max_blocks <= 0 or self.room <= 0:
            max_nodes = 0  # no room for a block: stop at the first node
        node = top[_NODE].child
        while True:
            if node is None:  # leave the innermost open element
                is_block, is_break = top[_BLOCK], False
            else:
                seen += 1
                if seen > max_nodes:
                    self.stop(link_chars, n_links)
                    break
                tag = node.tag
                if tag == "-text":
                    t = node.text_content
                    if t:
                        buf.append(t)
                        has_text = has_text or not t.isspace()
                        if top[_LINK]:
                            link_chars += len(t.strip())
                    node = node.next
                    continue
                if not tag or tag in skip_tags or tag[0] == "-" or tag[0] == "!":  # None: exotic node types
                    node = node.next
                    continue
                is_block, is_break = tag in BLOCK_TAGS, tag == "br" or tag == "hr"
            if buf and (is_block or is_break):  # a block boundary: the text before it is a block
                if not has_text:
                    buf.clear()
                elif flush(link_chars, n_links):  # the block reached a limit:
                    max_nodes = seen  # stop at the next node
                has_text = False
                link_chars = n_links = 0
            if node is None:
                if is_block:
                    path.pop()
                    owners.pop()
                node = stack.pop()[_NODE].next
                if not stack:
                    break
                top = stack[-1]
                continue
            if is_break:
                node = node.next
                continue
            attrs = node.attributes
            cls = 0
            if attrs:  # class groups, and "hidden" for ``hidden`` or an inline ``display:none``
                for name, v in attrs.items():
                    if name in _CLASS_ATTRS:
                        if v:  # ``class_mask``, inlined in the walk's hottest loop
                            cls |= _cached_class_mask(v) if len(v) <= MAX_CACHED_CHARS else _class_mask(v)
                    elif name == "hidden" or (name == "style" and v and _hidden_style(v)):
                        cls |= _HIDDEN_BIT
            fid += 1
            if is_block:
                opened.append((fid, tag, attrs.get("class") if attrs else None, path[-1]))
                path.append(fid)
                if top[_TAGN] == "tr" and (tag == "td" or tag == "th"):
                    row_of[fid] = top[_FID]
            if tag == "a":
                n_links += 1
            tag_bits = _TAG_BITS.get(tag, 0)
            top = (node, tag, fid, is_block, cls, cls | top[_ANC_CLS], tag_bits, tag_bits | top[_ANC_TAG],
                   top[_LINK] or tag == "a", top[_PRE] or tag == "pre")  # fmt: skip
            stack.append(top)
            if is_block:
                owners.append(top)
            node = node.child
        self.n_ids = fid

    def flush(self, link_chars: int, n_links: int) -> bool:
        """Close the open block (``buf`` is not empty) inside the innermost open
        element. True when it reaches a limit (``max_blocks`` blocks or
        ``max_chars`` characters): the walk then stops at its next node."""
        raw = "".join(self.buf)
        self.buf.clear()
        stack = self.stack
        top = stack[-1]
        pre = top[_PRE]
        if pre:
            text = raw.strip("\n\r").rstrip()
            if not text.strip():
                return False
        else:
            text = " ".join(raw.split())
            if not text:
                return False
        if len(text) > self.room:  # the page's last block: cut, and the walk stops
            text, self.room = text[: self.room].rstrip(), 0
            self.truncated = True
            if not text.strip():
                return True
        else:
            self.room -= len(text)
        near_cls = near_tag = 0  # the groups of the element and its two parents
        for frame in stack[-3:]:
            near_cls |= frame[_CLS]
            near_tag |= frame[_TAG_BITS_I]
        owner = self.owners[-1]  # the innermost block-level element owns the block
        otag = owner[_TAGN]
        level = _HEADINGS.get(otag, 0)
        anc_tag = top[_ANC_TAG]
        self.rows.append((
            text, _kind(otag, level, near_tag, anc_tag, pre), level, min(link_chars, len(text)), n_links,
            otag, owner[_CLS], near_cls, top[_ANC_CLS], near_tag, anc_tag, len(stack),
            tuple(self.path), self.row_of.get(owner[_FID], -1),
        ))  # fmt: skip
        return self.room <= 0 or len(self.rows) >= self.max_blocks

    def stop(self, link_chars: int, n_links: int) -> None:
        """End the walk early (a limit is reached): close every open element
        but the root, so the pending text is kept, as a block of the root."""
        self.truncated = True
        del self.stack[1:]
        del self.owners[1:]
        if self.buf:
            self.flush(link_chars, n_links)


def _container_repeats(opened: list[tuple], n_ids: int) -> tuple[list[int], list[int]]:
    """Per element id: how many siblings, and how many block-level elements
    of the whole page, share its tag and class (1 for an inline element).
    Repeated structure (teaser cards, comment items, nav entries): the
    signature of a block-level element is its tag and class, digits
    removed, and (for siblings) its parent container. ``opened``: the walk's
    block-level elements, as ``(id, tag, class attribute, parent container id)``."""
    sig_of: list[tuple | None] = [("body", "", -1)] + [None] * n_ids
    sibling_count: dict[tuple, int] = {}
    page_count: dict[tuple, int] = {}
    class_sigs: dict[str, str] = {}  # this page's classes: a page repeats few, and nothing outlives it
    for fid, tag, klass, parent in opened:
        klass = klass or ""
        class_sig = class_sigs.get(klass)
        if class_sig is None:
            class_sig = class_sigs[klass] = _class_signature(klass)
        sig = (tag, class_sig, parent)
        sibling_count[sig] = sibling_count.get(sig, 0) + 1
        page_count[sig[:2]] = page_count.get(sig[:2], 0) + 1
        sig_of[fid] = sig
    sibling_repeats = [sibling_count.get(sg, 1) if sg else 1 for sg in sig_of]
    page_repeats = [page_count.get(sg[:2], 1) if sg else 1 for sg in sig_of]
    return sibling_repeats, page_repeats


def segment_page(body, **limits) -> Segments:
    """:func:`segment` as the extractor reads a page: ``<noscript>`` content
    counts only when the page shows almost nothing without it
    (``NOSCRIPT_FALLBACK_CHARS``). ``limits``: ``max_nodes``, ``max_blocks``
    and ``max_chars``, as for :func:`segment`."""
    seg = segment(body, **limits)
    shown = sum(map(len, seg.texts))
    if shown < NOSCRIPT_FALLBACK_CHARS and body is not None and body.css_first("noscript") is not None:
        with_noscript = segment(body, noscript=True, **limits)
        if sum(map(len, with_noscript.texts)) > shown:
            return with_noscript
    return seg


def _merge_table_rows(seg: Segments) -> None:
    """Join the cells of a data-table row into one TABLE_ROW block (cells tab-separated).

    A row is merged only when it has two or more cells and each cell gave exactly
    one block: a layout table, whose cells hold paragraphs or ``<br>``-separated
    text, keeps its blocks as they are.
    """
    rows = seg.row
    if not any(r >= 0 for r in rows):
        return
    n = len(rows)
    blocks_in_tr: dict[int, int] = {}
    for path in seg.paths:
        for fid in path:
            blocks_in_tr[fid] = blocks_in_tr.get(fid, 0) + 1
    keep: list[int] = []
    i = 0
    while i < n:
        r = rows[i]
        j = i
        while j + 1 < n and rows[j + 1] == r and r >= 0:
            j += 1
        cells = seg.paths[i : j + 1]
        if j > i and blocks_in_tr.get(r) == j - i + 1 and len({p[-1] for p in cells}) == j - i + 1:
            seg.texts[i] = "\t".join(seg.texts[i : j + 1])
            seg.link_chars[i] = sum(seg.link_chars[i : j + 1])
            seg.n_links[i] = sum(seg.n_links[i : j + 1])
            if seg.kinds[i] is Kind.PARAGRAPH:
                seg.kinds[i] = Kind.TABLE_ROW
            keep.append(i)
        else:
            keep.extend(range(i, j + 1))
        i = j + 1
    if len(keep) < n:
        seg.keep_only(keep)


# -- the compiled walk --------------------------------------------------------------------

#: A page that exercises every branch of the walk (tables, <pre>, links,
#: hidden and class/id groups, <br>, headings, captions, lists, quotes,
#: <noscript>, comments, custom and skipped elements): the compiled walk is
#: used only when it gives exactly the Python walk's result here.
_PROBE_PAGE = (
    "<html><body><div class='main-content' id='storyBody' role='main'><h2 itemprop='headline'>A title</h2>"
    "<p>One <a href='/x'>linked <b>text</b></a> and more.<br>After a break</p><!-- a comment -->"
    "<table><tr><td>cell a</td><td class='num-2'>cell b</td></tr></table><pre>  code\n  line  </pre>"
    "<ul class='list'><li>item <span hidden>secret</span></li><li style='display: none'>gone</li></ul>"
    "<blockquote>quoted</blockquote><figure><figcaption>a caption</figcaption></figure>"
    "<my-widget data-x>custom é</my-widget><script>var x;</script><noscript>no script</noscript>"
    "<section class='sidebar'><div>side<hr>note</div></section></div>tail</body></html>"
)


def _tag_info(tag: str) -> tuple:
    """What the compiled walk needs to know about a tag, from this module's
    tables (read once per tag and cached there)."""
    skip = not tag or tag in SKIP_TAGS or tag[0] == "-" or tag[0] == "!"
    skip_ns = not tag or tag in _SKIP_BUT_NOSCRIPT or tag[0] == "-" or tag[0] == "!"
    return (
        skip, skip_ns, tag in BLOCK_TAGS, tag == "br" or tag == "hr", _TAG_BITS.get(tag, 0), _HEADINGS.get(tag, 0),
        tag == "a", tag == "pre", tag == "tr", tag == "td" or tag == "th", tag == "caption", tag in _LIST_OWNERS,
    )  # fmt: skip


def _load_core():
    """``(module, why)``: thresher._core ready to walk, or None and why not.
    A built core that does not fit the installed selectolax warns and falls back."""
    _core, why = compiled_module()
    if _core is None:
        return None, why
    import selectolax.lexbor as lexbor
    from selectolax.lexbor import LexborHTMLParser

    try:
        probe = LexborHTMLParser("<p>probe text</p>").css_first("p").child
        _core.init(
            lexbor.__file__, probe.mem_id, b"probe text", _tag_info, class_mask, _hidden_style,
            (Kind.CODE, Kind.HEADING, Kind.CAPTION, Kind.QUOTE, Kind.LIST_ITEM, Kind.PARAGRAPH),
            (_PRE_BIT, _FIG_BIT, _QUOTE_BIT, _LIST_BIT, _HIDDEN_BIT),
        )  # fmt: skip
        body = LexborHTMLParser(_PROBE_PAGE).body
        for noscript in (False, True):
            for limits in ((400_000, 20_000, 1_000_000), (25, 20_000, 1_000_000), (400_000, 3, 40)):
                args = (noscript, *limits)
                walked = _core.walk(body.mem_id, *args)
                if walked != _walk_python(body, *args):
                    raise ImportError("its walk differs from the Python walk on the probe page")
                if _core.container_repeats(walked[1], walked[2]) != _container_repeats(walked[1], walked[2]):
                    raise ImportError("its container repeats differ from Python's on the probe page")
    except Exception as exc:  # noqa: BLE001 - any misfit means: not this path
        import selectolax

        warnings.warn(
            f"thresher: the compiled core does not fit selectolax {selectolax.__version__} ({exc}); "
            "running the pure-Python walk",
            RuntimeWarning,
            stacklevel=2,
        )
        return None, f"the compiled core does not fit selectolax {selectolax.__version__}"
    return _core, "compiled"


CORE, _CORE_WHY = _load_core()
#: which walk runs: "compiled" (thresher._core over Lexbor) or "python"
CORE_PATH = "compiled" if CORE is not None else "python"
#: the same for people (``thresher --version``): and why the Python walk runs
CORE_NOTE = "compiled core" if CORE is not None else f"pure-Python core: {_CORE_WHY}"
