"""Block -> feature row, computed once per page into a NumPy matrix.

Two feature sets feed two classifier stages (see ``classify.py``):

* ``block_features``: what the block is (length, link density, punctuation,
  function-word share, kind), where it sits (ancestor tags and class/id keyword
  groups, position, depth), what surrounds it (neighbours' length and link
  density), and how its containers look (share of the page's text and of its
  "good" text, link density) — including whether it lies inside the page's
  main text container, the deepest element that holds most of the page's
  paragraph-like text.
* ``context_features``: the first stage's probabilities of the block's
  neighbours and the mean probability of its containers, so the second stage
  smooths decisions along the reading order and across the DOM tree.

Nothing here is language-specific beyond the function-word table, which spans
many languages at once; CJK text is measured in characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from ._stopwords import CHROME_WORDS, CJK_FUNCTION_CHARS, STOPWORDS
from .hints import PageHints
from .segment import CLASS_GROUP_NAMES, TAG_GROUP_NAMES, Segments
from .types import Kind

__all__ = ["block_features", "context_features", "BLOCK_FEATURES", "CONTEXT_FEATURES", "GOOD_MIN_CHARS", "GOOD_MAX_LINK_DENSITY"]

_WORD = re.compile(r"\w+")
_DATEISH = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{1,2}:\d\d")
_COPYRIGHT = ("©", "(c)", "copyright", "all rights reserved", "alle rechte", "tous droits", "版权所有", "все права")

#: A block counts as "good" (paragraph-like) for container statistics when it
#: has at least this many characters and at most this link density. Set by
#: hand to jusText-like cut-offs and not tuned: the model sees the raw length
#: and link density too, and learns how much to trust these aggregates.
GOOD_MIN_CHARS = 80
GOOD_MAX_LINK_DENSITY = 0.25

_KIND_CODES = {k: i for i, k in enumerate(Kind)}
_OWNER_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "span", "section", "article", "dd", "blockquote", "pre", "figcaption", "header", "footer")
_OWNER_CODE = {t: i for i, t in enumerate(_OWNER_TAGS)}

_TEXT_FEATURES = [
    "log_chars", "log_words", "link_density", "all_link", "n_links", "sent_end_per_word", "comma_per_word",
    "ends_with_punct", "stopword_ratio", "avg_word_len", "capitalised_ratio", "digit_ratio", "separator_ratio",
    "dateish", "copyright", "cjk_ratio", "kind", "level", "owner_tag", "repeats_on_page", "title_overlap",
    "starts_lower",
]  # fmt: skip
_POS_FEATURES = ["rel_index", "rel_char_pos", "depth", "rel_depth"]
_CONTAINER_FEATURES = [
    f"{name}_{lvl}"
    for lvl in ("c1", "c2", "c3")
    for name in ("share", "good_share", "link_density", "log_blocks", "good_frac")
] + ["in_main50", "in_main80", "main50_share", "main_depth_gap", "best_anc_good_share"] + [
    f"{kind}_repeats_{lvl}" for kind in ("sibling", "page") for lvl in ("c0", "c1", "c2", "c3")
] + ["has_headline", "after_headline", "blocks_from_headline"]
_NEIGHBOUR_FEATURES = [
    f"{side}{d}_{name}" for side in ("prev", "next") for d in (1, 2) for name in ("log_chars", "link_density", "good")
] + ["dist_prev_good", "dist_next_good", "next_is_heading"]
_PAGE_FEATURES = [
    "page_log_blocks", "page_log_chars", "page_link_density", "page_good_share", "og_article", "ld_article",
    "n_article_tags", "n_h1", "url_slug_words", "url_has_date",
]  # fmt: skip

BLOCK_FEATURES: list[str] = (
    _TEXT_FEATURES
    + _POS_FEATURES
    + _CONTAINER_FEATURES
    + _NEIGHBOUR_FEATURES
    + _PAGE_FEATURES
    + [f"cls_anc_{g}" for g in CLASS_GROUP_NAMES]
    + [f"cls_near_{g}" for g in CLASS_GROUP_NAMES]
    + [f"cls_own_{g}" for g in CLASS_GROUP_NAMES]
    + [f"tag_anc_{g}" for g in TAG_GROUP_NAMES]
    + [f"tag_near_{g}" for g in TAG_GROUP_NAMES]
)

_CTX_OFFSETS = (-3, -2, -1, 1, 2, 3)
CONTEXT_FEATURES: list[str] = (
    [f"p_{'m' if o < 0 else 'p'}{abs(o)}" for o in _CTX_OFFSETS]
    + ["p_c1", "p_c2", "p_c3", "p_main50", "p_win5_max", "p_win5_mean", "p_page_mean", "p_rank"]
    + ["in_p_span", "p_span_dist", "p_span_share", "in_p_main", "p_main_gap"]
)


def _shift(arr: np.ndarray, d: int, pad: float) -> np.ndarray:
    """``out[i] = arr[i - d]`` (the unit ``d`` before; ``d < 0``: after), ``pad`` past the ends."""
    out = np.full(arr.shape[0], pad, dtype=np.float32)
    if 0 < d < arr.shape[0]:
        out[d:] = arr[:-d]
    elif 0 < -d < arr.shape[0]:
        out[:d] = arr[-d:]
    return out


def _best_span(gain: np.ndarray) -> tuple[int, int]:
    """The contiguous run ``[a, b]`` with the largest sum of ``gain`` (Kadane, vectorised)."""
    cum = np.concatenate(([0.0], np.cumsum(gain)))
    # index of the running minimum of cum[0..j-1] for every j
    run_min = np.minimum.accumulate(cum)
    low_idx = np.maximum.accumulate(np.where(cum <= run_min, np.arange(cum.size), 0))
    best_end = int(np.argmax(cum[1:] - run_min[:-1])) + 1
    return int(low_idx[best_end - 1]), best_end - 1


class _Pairs:
    """Every (block, enclosing container) pair of a page, flattened for bincount."""

    __slots__ = ("fid", "block", "start", "length", "pos", "n_fid")

    def __init__(self, seg: Segments):
        n = len(seg)
        self.length = np.fromiter(map(len, seg.paths), dtype=np.intp, count=n)
        total = int(self.length.sum())
        self.fid = np.fromiter(chain.from_iterable(seg.paths), dtype=np.intp, count=total)
        self.block = np.repeat(np.arange(n, dtype=np.intp), self.length)
        self.start = np.concatenate(([0], np.cumsum(self.length)[:-1])).astype(np.intp)
        self.pos = np.arange(total, dtype=np.intp) - np.repeat(self.start, self.length)
        self.n_fid = int(self.fid.max()) + 1 if total else 1

    @classmethod
    def of(cls, seg: Segments) -> "_Pairs":
        """The pairs of ``seg``, built on first use and kept on it."""
        if seg.pairs is None:
            seg.pairs = cls(seg)
        return seg.pairs

    def sum(self, per_block: np.ndarray) -> np.ndarray:
        """Per container: the sum of ``per_block`` over the blocks inside it."""
        return np.bincount(self.fid, weights=per_block[self.block], minlength=self.n_fid)

    def up(self, k: int) -> np.ndarray:
        """Per block: the container ``k`` levels above the block's own element
        (``k=1`` its parent); the outermost container when the path is shorter."""
        return self.fid[self.start + np.maximum(self.length - 1 - k, 0)]

    def deepest_with(self, mask_fid: np.ndarray) -> tuple[int, int]:
        """The deepest container for which ``mask_fid`` holds, and its depth; (-1, 0) if none."""
        hit = mask_fid[self.fid]
        if not hit.any():
            return -1, 0
        j = int(np.argmax(np.where(hit, self.pos, -1)))
        return int(self.fid[j]), int(self.pos[j])

    def contains(self, fid: int) -> np.ndarray:
        """Per block: is container ``fid`` among its ancestors?"""
        out = np.zeros(len(self.length), dtype=bool)
        out[self.block[self.fid == fid]] = True
        return out


def _bits(masks: list[int], width: int) -> np.ndarray:
    arr = np.asarray(masks, dtype=np.int64)
    return ((arr[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.float32)


# Character classes, one bit each, looked up per code point (BMP) in one table.
_C_WORD, _C_UPPER, _C_LOWER, _C_DIGIT, _C_SENT, _C_COMMA, _C_SEP, _C_CJK, _C_CJKFN, _C_ENDP, _C_ALPHA, _C_SPACE, _C_DECIMAL = (
    1 << i for i in range(13)
)


def _letter_flags(c: str) -> int:
    """The flags of a character that come from its Unicode properties."""
    f = 0
    if c.isalnum() or c == "_":  # exactly what the regex \w matches
        f |= _C_WORD
        if c.islower():
            f |= _C_LOWER
        if c.isdigit():
            f |= _C_DIGIT
    if c.isupper():  # some upper-case symbols ("Ⓐ") are not \w
        f |= _C_UPPER
    if c.isalpha():
        f |= _C_ALPHA
    if c.isspace():  # exactly what the regex \s matches
        f |= _C_SPACE
    if c.isdecimal():  # exactly what the regex \d matches
        f |= _C_DECIMAL
    return f


@lru_cache(maxsize=1)
def _char_table() -> np.ndarray:
    """Flags of every BMP code point (built once, on first use: ~30 ms); the
    punctuation and CJK classes are all in the BMP."""
    table = np.fromiter((_letter_flags(chr(i)) for i in range(0x10000)), dtype=np.uint16, count=0x10000)
    for chars, flag in (
        (".!?。！？…", _C_SENT), (",;:，、；：", _C_COMMA), ("|•·»«›‹/>", _C_SEP),
        (".!?。！？\"'”»)…:", _C_ENDP), (CJK_FUNCTION_CHARS, _C_CJKFN),
    ):  # fmt: skip
        for c in chars:
            table[ord(c)] |= flag
    for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF)):
        table[lo : hi + 1] |= _C_CJK
    return table


@dataclass(slots=True)
class _Chars:
    """The texts of a page joined by one separator: their code points, the
    class flags of each (0 for the separator, plus one trailing 0 so that no
    text's span is empty), which code points are word characters and which
    start a word, the text each code point belongs to, and the lower case."""

    joined: str
    lens: np.ndarray
    starts: np.ndarray
    cp: np.ndarray
    flags: np.ndarray
    word: np.ndarray
    wstart: np.ndarray
    ids: np.ndarray
    lower: str
    _words: tuple | None = None

    @classmethod
    def of(cls, texts: list[str]) -> "_Chars":
        joined = "\n".join(texts)
        lens = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        flags = np.zeros(cp.size + 1, dtype=np.uint16)
        np.take(_char_table(), cp, mode="clip", out=flags[:-1])
        astral = np.flatnonzero(cp > 0xFFFF)  # emoji, rare scripts: looked up one by one
        if astral.size:
            flags[astral] = [_letter_flags(chr(c)) for c in cp[astral]]
        ids = np.repeat(np.arange(lens.size, dtype=np.intp), lens + 1)[: cp.size]
        starts = np.concatenate(([0], np.cumsum(lens + 1)[:-1])).astype(np.intp)
        word = (flags & _C_WORD) != 0
        wstart = word.copy()
        wstart[1:] &= ~word[:-1]
        return cls(joined, lens, starts, cp, flags, word, wstart, ids, joined.lower())

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per text: how many of its code points ``mask`` (a test on ``flags``) holds."""
        if not self.lens.size:
            return np.zeros(0)
        # a text's span runs to the next one's start: it ends with the separator (flags 0)
        return np.add.reduceat(mask, self.starts, dtype=np.int32).astype(np.float64)

    def words(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The hash of every word (run of ``\\w`` characters) of the lower-cased
        texts, in order, and the text each belongs to; ``None`` when
        lower-casing changed the length ("İ"), so positions do not line up."""
        if self._words is None:
            if len(self.lower) != len(self.joined):
                self._words = (None,)
            else:
                starts = np.flatnonzero(self.wstart[: len(self.joined)])
                self._words = (_word_hashes(self.lower, self.word, self.wstart), self.ids[starts])
        return None if self._words[0] is None else self._words


# Words are matched against word lists by a 64-bit polynomial hash of their
# code points, computed for all the page's words at once in NumPy (a
# collision, about one in 10**16 per pair, would only miscount one word).
_HASH_BASE = np.uint64(0x100000001B3)


_INVERSE_BASE = np.uint64(pow(int(_HASH_BASE), -1, 1 << 64))  # the base is odd: invertible mod 2**64


@lru_cache(maxsize=16)  # sizes are powers of two: few
def _power_table(size: int, inverse: bool) -> np.ndarray:
    base = _INVERSE_BASE if inverse else _HASH_BASE
    with np.errstate(over="ignore"):
        return np.cumprod(np.concatenate(([np.uint64(1)], np.full(size - 1, base))), dtype=np.uint64)


#: Tables of powers up to this size are kept (8 MB each); longer ones (a giant
#: dump's word count) are computed for the call and dropped, so memory stays flat.
_CACHED_POWERS = 1 << 20


def _powers(length: int, *, inverse: bool = False) -> np.ndarray:
    """``base**k`` (or ``base**-k``) mod 2**64 for k = 0 .. at least ``length - 1``."""
    size = 64
    while size < length:
        size *= 2
    return _power_table(size, inverse) if size <= _CACHED_POWERS else _power_table.__wrapped__(size, inverse)


def window_hashes(hashes: np.ndarray, width: int) -> np.ndarray:
    """The hash of every run of ``width`` consecutive ``hashes`` (a polynomial
    in the base, like a word's hash of its characters): equal runs give equal
    hashes wherever they sit. Prefix sums of ``hashes[j] * base**j``, each
    difference brought back to position 0 by ``base**-start``."""
    m = hashes.size
    if m < width:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(hashes * _powers(m)[:m], dtype=np.uint64)))
        return (prefix[width:] - prefix[:-width]) * _powers(m, inverse=True)[: m - width + 1]


def _hash_words(words) -> np.ndarray:
    """The hash of each of ``words``, as ``_word_hashes`` computes it (0 for "")."""
    words = list(words)
    lens = np.fromiter(map(len, words), dtype=np.intp, count=len(words))
    out = np.zeros(len(words), dtype=np.uint64)
    filled = np.flatnonzero(lens)
    if filled.size:
        cp = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        lens = lens[filled]
        starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
        offset = np.arange(cp.size) - np.repeat(starts, lens)
        with np.errstate(over="ignore"):
            out[filled] = np.add.reduceat(cp * _powers(int(lens.max()))[offset], starts, dtype=np.uint64)
    return out


def _word_hashes(text: str, word: np.ndarray, wstart: np.ndarray) -> np.ndarray:
    """The hash of each run of word characters (``word``, starting at ``wstart``) of ``text``."""
    at = np.flatnonzero(word[: len(text)])
    if not at.size:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[at].astype(np.uint64)
    first = np.flatnonzero(wstart[at])  # index into ``at`` of each word's first character
    offset = np.arange(at.size) - np.repeat(first, np.diff(np.append(first, at.size)))
    with np.errstate(over="ignore"):
        return np.add.reduceat(cp * _powers(int(offset.max()) + 1)[offset], first, dtype=np.uint64)


def _hash_in(hashes: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``hashes`` are in ``sorted_set`` (a sorted array of hashes): for a
    page's own small sets (its title's words); the fixed word lists, looked up
    for every word of every page, use the faster ``_HashSet``."""
    if not sorted_set.size:
        return np.zeros(hashes.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, hashes), sorted_set.size - 1)
    return sorted_set[pos] == hashes


class _HashSet:
    """A fixed set of word hashes with an exact, vectorised membership test: a
    direct-mapped table whose slot is the top bits of the hash times an odd
    multiplier, the multiplier chosen so that no two members share a slot (so
    a lookup is one multiply, one gather and one compare)."""

    SLOT_BITS = 17

    def __init__(self, hashes):
        members = np.unique(np.asarray(hashes, dtype=np.uint64))
        self._down = np.uint64(64 - self.SLOT_BITS)
        for k in range(1000):
            self._mult = np.uint64((0x9E3779B97F4A7C15 + 2 * k) % (1 << 64))
            slots = self._slots(members)
            if np.unique(slots).size == members.size:
                break
        else:  # pragma: no cover - each try succeeds with odds ~0.4 for 500 words
            raise ValueError("no collision-free multiplier")
        # an empty slot holds a value that hashes to another slot, so nothing
        # matches it: 0 (slot 0) everywhere, and in slot 0 the first number whose slot is not 0
        self._table = np.zeros(1 << self.SLOT_BITS, dtype=np.uint64)
        probe = np.arange(1, 1 << 10, dtype=np.uint64)
        self._table[0] = probe[np.argmax(self._slots(probe) != 0)]
        self._table[slots] = members

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((hashes * self._mult) >> self._down).astype(np.intp)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        return self._table[self._slots(hashes)] == hashes


_STOPWORD_HASHES = _HashSet(_hash_words(STOPWORDS))
_CHROME_HASHES = _HashSet(_hash_words(CHROME_WORDS))


def chrome_share(chars: _Chars, words: np.ndarray) -> np.ndarray:
    """Per text: the share of its ``words`` that are chrome words (``CHROME_WORDS``)."""
    hashed = chars.words()
    if hashed is None:
        return np.zeros(words.size)
    hits = np.bincount(hashed[1], weights=_CHROME_HASHES.contains(hashed[0]), minlength=words.size)
    return hits / np.maximum(words, 1.0)


def upper_share(chars: _Chars) -> np.ndarray:
    """Per text: upper-case characters over letters (BMP characters; 0 without letters)."""
    return chars.count((chars.flags & _C_UPPER) != 0) / np.maximum(chars.count((chars.flags & _C_ALPHA) != 0), 1.0)


def _text_stats(texts: list[str], title_tokens: frozenset[str], chars: _Chars | None = None) -> np.ndarray:
    """Per-block text statistics for the whole page at once (columns as in the
    ``rows`` of ``block_features``), from one pass over the page's code points."""
    n = len(texts)
    chars = chars or _Chars.of(texts)
    joined, lens, starts, flags, ids = chars.joined, chars.lens, chars.starts, chars.flags, chars.ids
    size = len(joined)
    per_block = chars.count

    word, wstart = chars.word, chars.wstart
    n_words = per_block(wstart)
    word_chars = per_block(word)
    caps = per_block(wstart & ((flags & _C_UPPER) != 0))
    cjk = per_block((flags & _C_CJK) != 0)
    cjk_fn = per_block((flags & _C_CJKFN) != 0)
    n_chars = lens.astype(np.float64)

    # function words and title words, matched on the page's words at once by hash
    lower = chars.lower
    words = chars.words()
    if words is not None:
        hashes, owner = words
        stop_hits = np.bincount(owner, weights=_STOPWORD_HASHES.contains(hashes), minlength=n)
        title_hits = (
            np.bincount(owner, weights=_hash_in(hashes, np.unique(_hash_words(title_tokens))), minlength=n)
            if title_tokens
            else np.zeros(n)
        )
    else:  # lower-casing changed the length ("İ"): block by block
        stop_hits = np.zeros(n)
        title_hits = np.zeros(n)
        for i, t in enumerate(texts):
            ws = _WORD.findall(t.lower())
            stop_hits[i] = sum(w in STOPWORDS for w in ws)
            title_hits[i] = sum(w in title_tokens for w in ws)
            n_words[i] = len(ws)

    cjk_mode = cjk > 0.3 * n_chars
    eff_words = np.where(cjk_mode, np.maximum(n_words, cjk // 2), n_words)
    denom = np.maximum(eff_words, 1.0)
    wdenom = np.maximum(n_words, 1.0)
    stop_ratio = np.where(cjk_mode, cjk_fn / np.maximum(cjk, 1.0), stop_hits / wdenom)
    avg_len = np.where(cjk_mode, 1.0, word_chars / wdenom)
    cap = np.where(cjk_mode, 0.0, caps / wdenom)
    overlap = title_hits / np.maximum(wdenom, len(title_tokens)) if title_tokens else np.zeros(n)

    nonempty = lens > 0
    first = np.where(nonempty, flags[np.minimum(starts, max(size - 1, 0))], 0) if size else np.zeros(n, np.uint16)
    last = np.where(nonempty, flags[np.maximum(starts + lens - 1, 0)], 0) if size else np.zeros(n, np.uint16)

    digits = per_block((flags & _C_DIGIT) != 0)
    dateish = np.zeros(n)
    for i in np.flatnonzero(digits >= 3):  # a year, a d/m/y date or a time needs 3+ digits
        if _DATEISH.search(texts[i]):
            dateish[i] = 1.0
    copyright_ = np.zeros(n)
    if len(lower) == len(joined):  # lower() can change lengths ("İ"); positions must line up
        for needle in _COPYRIGHT:
            at = lower.find(needle)
            while at >= 0:
                copyright_[ids[at]] = 1.0
                at = lower.find(needle, at + 1)
    else:
        for i, t in enumerate(texts):
            tl = t.lower()
            copyright_[i] = any(needle in tl for needle in _COPYRIGHT)

    # how often the same text recurs on the page (by string hash)
    _, same, repeats = np.unique(np.fromiter(map(hash, texts), dtype=np.int64, count=n), return_inverse=True, return_counts=True)
    return np.column_stack(
        [
            per_block((flags & _C_SENT) != 0) / denom,
            per_block((flags & _C_COMMA) != 0) / denom,
            (last & _C_ENDP) != 0,
            stop_ratio,
            avg_len,
            cap,
            digits / np.maximum(n_chars, 1.0),
            per_block((flags & _C_SEP) != 0) / denom,
            dateish,
            copyright_,
            cjk / np.maximum(n_chars, 1.0),
            repeats[same.ravel()] - 1.0,
            overlap,
            (first & _C_LOWER) != 0,
            eff_words,
        ]
    ).astype(np.float32)


def block_features(seg: Segments, hints: PageHints | None = None) -> np.ndarray:
    """The first-stage feature matrix, one row per block (columns: ``BLOCK_FEATURES``)."""
    hints = hints or PageHints()
    title = hints.title
    n = len(seg)
    if n == 0:
        return np.zeros((0, len(BLOCK_FEATURES)), dtype=np.float32)
    title_tokens = frozenset(w.lower() for w in _WORD.findall(title)) if title else frozenset()
    stats = _text_stats(seg.texts, title_tokens)
    n_chars = np.fromiter((len(t) for t in seg.texts), dtype=np.float32, count=n)
    link = np.asarray(seg.link_chars, dtype=np.float32)
    ld = link / np.maximum(n_chars, 1)
    words = stats[:, 14]
    good = (n_chars >= GOOD_MIN_CHARS) & (ld <= GOOD_MAX_LINK_DENSITY)
    total_chars = float(n_chars.sum()) or 1.0
    good_chars_arr = np.where(good, n_chars, 0.0)
    total_good = float(good_chars_arr.sum())

    # --- container statistics over the block-level ancestors
    pairs = _Pairs.of(seg)
    agg_chars = pairs.sum(n_chars)
    agg_link = pairs.sum(link)
    agg_good = pairs.sum(good_chars_arr)
    agg_blocks = pairs.sum(np.ones(n))
    agg_goodn = pairs.sum(good.astype(np.float64))
    if total_good > 0:
        main50, main50_depth = pairs.deepest_with(agg_good >= 0.5 * total_good)
        main80, _ = pairs.deepest_with(agg_good >= 0.8 * total_good)
    else:
        main50, main50_depth, main80 = -1, 0, -1
    tg = total_good or 1.0
    cols = []
    for k in (1, 2, 3):
        fid = pairs.up(k)
        ch = agg_chars[fid]
        cols += [
            ch / total_chars,
            agg_good[fid] / tg,
            agg_link[fid] / np.maximum(ch, 1.0),
            np.log1p(agg_blocks[fid]),
            agg_goodn[fid] / agg_blocks[fid],
        ]
    in50 = pairs.contains(main50) if main50 >= 0 else np.zeros(n, dtype=bool)
    gap = pairs.length - 1 - main50_depth
    best_anc = np.maximum.reduce([agg_good[pairs.up(k)] for k in (1, 2, 3)]) / tg
    sib = np.asarray(seg.sibling_repeats, dtype=np.float32)
    pag = np.asarray(seg.page_repeats, dtype=np.float32)
    repeats = [np.log1p(arr[pairs.up(k)]) for arr in (sib, pag) for k in (0, 1, 2, 3)]
    # the headline: the first heading sharing half its words with the page title, else the first <h1>
    overlap = stats[:, 12]
    levels = np.asarray(seg.levels)
    heads = np.flatnonzero((levels > 0) & (overlap >= 0.5))
    if not heads.size:
        heads = np.flatnonzero(levels == 1)
    if heads.size:
        h = int(heads[0])
        headline = [np.ones(n), (np.arange(n) > h).astype(np.float32), np.clip(np.arange(n) - h, -50, 200)]
    else:
        headline = [np.zeros(n), np.zeros(n), np.zeros(n)]
    cont = np.column_stack(
        cols
        + [
            in50,
            pairs.contains(main80) if main80 >= 0 else np.zeros(n, dtype=bool),
            np.full(n, (agg_chars[main50] / total_chars) if main50 >= 0 else 0.0),
            np.where(in50, gap, -(np.abs(gap) + 1)),
            best_anc,
        ]
        + repeats
        + headline
    ).astype(np.float32)

    # --- neighbours
    logc = np.log1p(n_chars)
    good_f = good.astype(np.float32)
    neigh_cols = [_shift(arr, step * d, -1.0) for step in (1, -1) for d in (1, 2) for arr in (logc, ld, good_f)]
    idx = np.arange(n)
    good_idx = np.flatnonzero(good)
    if good_idx.size:
        pos = np.searchsorted(good_idx, idx)
        prev_g = np.where(pos > 0, idx - good_idx[np.maximum(pos - 1, 0)], 50)
        pos_r = np.searchsorted(good_idx, idx, side="right")
        next_g = np.where(pos_r < good_idx.size, good_idx[np.minimum(pos_r, good_idx.size - 1)] - idx, 50)
    else:
        prev_g = next_g = np.full(n, 50)
    kinds = np.fromiter((_KIND_CODES[k] for k in seg.kinds), dtype=np.float32, count=n)
    is_heading = (kinds == _KIND_CODES[Kind.HEADING]).astype(np.float32)
    neigh = np.column_stack(neigh_cols + [np.minimum(prev_g, 50), np.minimum(next_g, 50), _shift(is_heading, -1, 0.0)])

    # --- assemble
    depth = np.asarray(seg.depth, dtype=np.float32)
    cum = np.cumsum(n_chars) - n_chars
    text_cols = np.column_stack(
        [
            logc,
            np.log1p(words),
            ld,
            (ld >= 0.9).astype(np.float32),
            np.asarray(seg.n_links, dtype=np.float32),
            stats[:, 0:11],
            kinds,
            np.asarray(seg.levels, dtype=np.float32),
            np.fromiter((_OWNER_CODE.get(t, len(_OWNER_TAGS)) for t in seg.owner_tag), dtype=np.float32, count=n),
            stats[:, 11:14],
        ]
    )
    pos_cols = np.column_stack([idx / max(n - 1, 1), cum / total_chars, depth, depth / max(float(depth.max()), 1.0)])
    page_cols = np.tile(
        np.array(
            [
                np.log1p(n), np.log1p(total_chars), float(link.sum()) / total_chars, total_good / total_chars,
                hints.og_article, hints.ld_article, min(hints.n_article_tags, 50), min(hints.n_h1, 20),
                min(hints.url_slug_words, 30), hints.url_has_date,
            ],  # fmt: skip
            dtype=np.float32,
        ),
        (n, 1),
    )
    ng = len(CLASS_GROUP_NAMES)
    nt = len(TAG_GROUP_NAMES)
    return np.hstack(
        [
            text_cols,
            pos_cols,
            cont,
            neigh,
            page_cols,
            _bits(seg.anc_cls, ng),
            _bits(seg.near_cls, ng),
            _bits(seg.own_cls, ng),
            _bits(seg.anc_tag, nt),
            _bits(seg.near_tag, nt),
        ]
    ).astype(np.float32, copy=False)


def sequence_context(p1: np.ndarray, w: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Stage-1 scores around each unit of a sequence (blocks or lines), shared by both models.

    Returns three groups of columns: the scores at ``_CTX_OFFSETS``; the
    5-unit window max and mean, the page mean and the unit's rank; and the
    contiguity prior (inside the span with the largest ``w``-weighted sum of
    ``p1 - 0.5``, distance to it, the span's share of the scored text)."""
    n = p1.shape[0]
    shifts = [_shift(p1, -o, -1.0) for o in _CTX_OFFSETS]
    win = np.lib.stride_tricks.sliding_window_view(np.pad(p1, 2, constant_values=0.0), 5)
    order = np.argsort(np.argsort(-p1, kind="stable"), kind="stable")
    window = [win.max(axis=1), win.mean(axis=1), np.full(n, float(p1.mean())), order / max(n - 1, 1)]
    a, b = _best_span((p1 - 0.5) * np.sqrt(w))
    idx = np.arange(n)
    dist = np.where(idx < a, a - idx, np.where(idx > b, idx - b, 0))
    wp = w * p1
    span = [(idx >= a) & (idx <= b), np.minimum(dist, 100), np.full(n, float(wp[a : b + 1].sum() / max(wp.sum(), 1.0)))]
    return shifts, window, span


def context_features(seg: Segments, base: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """The second-stage matrix: ``base`` plus the first stage's scores around each block."""
    n = len(seg)
    if n == 0:
        return np.zeros((0, base.shape[1] + len(CONTEXT_FEATURES)), dtype=np.float32)
    w = np.fromiter((len(t) for t in seg.texts), dtype=np.float64, count=n)
    shifts, window, span = sequence_context(p1, w)
    wp = w * p1
    pairs = _Pairs.of(seg)
    sum_w = pairs.sum(w)
    sum_wp = pairs.sum(wp)
    cont = np.column_stack([sum_wp[f] / np.maximum(sum_w[f], 1.0) for f in (pairs.up(k) for k in (1, 2, 3))])
    # the deepest container holding half of the scored text
    total_wp = float(wp.sum())
    if total_wp > 0:
        p_main, p_main_depth = pairs.deepest_with(sum_wp >= 0.5 * total_wp)
        in_p_main = pairs.contains(p_main)
        p_gap = np.where(in_p_main, pairs.length - 1 - p_main_depth, -1)
    else:
        p_main = -1.0
        in_p_main = np.zeros(n, dtype=bool)
        p_gap = np.full(n, -1)
    # KNOWN BUG, kept because the block model is trained on it: the "p_main50"
    # column was meant to be the mean stage-1 score inside the main50
    # container, but holds the id of the p-main container found above (a
    # shadowed variable). Fixing it and retraining was measured (2026-11-23):
    # cross-validated F1 0.8715 against 0.873 with the bug (scrapinghub 0.939
    # against 0.948); again with blocks-v2's training (2026-11-24): 0.8746
    # against 0.8750. The column stays as trained until a retraining that
    # changes more gains from the fix.
    p_main50_column = np.full(n, p_main, dtype=np.float32)
    extra = np.column_stack(shifts + [cont, p_main50_column] + window + span + [in_p_main, p_gap]).astype(np.float32)
    return np.hstack([base, extra])
