"""Text statistics both products compute: the shared kernel of the block
features (HTML) and the line features (text dumps).

A page's texts (blocks or lines) are joined once and read as an array of code
points with one class-flag table lookup each (``Chars``); every per-text
statistic is then a vectorised count over that array. ``text_stats`` returns
the columns named in ``TEXT_STATS``, and ``sequence_context`` the stage-2
columns both models derive from their neighbours' stage-1 scores.

Nothing here is language-specific beyond the function-word table, which spans
many languages at once; CJK text is measured in characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._native import checked_core
from ._stopwords import CHROME_WORDS, CJK_FUNCTION_CHARS, PERSON_WORDS, STOPWORDS

__all__ = [
    "CONTEXT_OFFSETS",
    "TEXT_STATS",
    "TEXT_STATS_PARAMS",
    "VOICE_STATS",
    "Chars",
    "HashSet",
    "best_span",
    "chrome_share",
    "hash_words",
    "sequence_context",
    "shift",
    "stat_columns",
    "text_stats",
    "unsegmented_tokens",
    "upper_share",
    "voice_stats",
    "window_hashes",
    "word_ngrams",
]

_WORD = re.compile(r"\w+")
_DATEISH = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{1,2}:\d\d")
#: Characters that program source is dense in and prose is not.
_CODE_CHARS = "{}();=<>[]$\\"
_COPYRIGHT = ("©", "(c)", "copyright", "all rights reserved", "alle rechte", "tous droits", "版权所有", "все права")

#: The columns of ``text_stats``, in order: per text, sentence ends and commas
#: per word, ends in sentence punctuation, share of function words, mean word
#: length, share of capitalised words, of digits, separators per word, holds a
#: date or time, holds a copyright mark, share of CJK characters, how often the
#: same text recurs on the page, share of the title's words, starts in lower
#: case, and the word count (CJK: characters / 2).
TEXT_STATS: tuple[str, ...] = (
    "sent_end_per_word", "comma_per_word", "ends_with_punct", "stopword_ratio", "avg_word_len",
    "capitalised_ratio", "digit_ratio", "separator_ratio", "dateish", "copyright", "cjk_ratio",
    "repeats_on_page", "title_overlap", "starts_lower", "words",
)  # fmt: skip
#: Offsets of the neighbours whose stage-1 score is a stage-2 column.
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)


#: What changes the values of the columns above, for the models' schema hash.
TEXT_STATS_PARAMS = {
    "stopwords": STOPWORDS,
    "chrome_words": CHROME_WORDS,
    "person_words": PERSON_WORDS,
    "code_chars": _CODE_CHARS,
    "cjk_function_chars": CJK_FUNCTION_CHARS,
    "dateish": _DATEISH.pattern,
    "copyright": _COPYRIGHT,
    "context_offsets": CONTEXT_OFFSETS,
}


#: Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer,
#: Japanese kana, and Han (the BMP blocks and the supplementary ideographs).
#: Korean separates its words with spaces and is not among them.
_UNSEGMENTED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_UNSEGMENTED_CHAR = re.compile(f"[{_UNSEGMENTED}]")
_UNSEGMENTED_TOKEN = re.compile(f"[{_UNSEGMENTED}]|[^{_UNSEGMENTED}]+")


def unsegmented_tokens(words: list[str]) -> list[str]:
    """``words`` with every run of a script written without spaces split into
    its characters: "北京市政府iphone" -> 北, 京, 市, 政, 府, iphone.

    Word n-grams of such text are n-grams of whole sentences (one "word" per
    clause), so one edited character changes a shingle that spans a clause;
    n-grams of its characters change only locally, as word n-grams do for
    spaced scripts. Words of other scripts are returned as they are (the same
    list when there is nothing to split).
    """
    if not any(_UNSEGMENTED_CHAR.search(w) for w in words if not w.isascii()):
        return words
    out: list[str] = []
    for w in words:
        if w.isascii() or not _UNSEGMENTED_CHAR.search(w):
            out.append(w)
        else:
            out += _UNSEGMENTED_TOKEN.findall(w)
    return out


def word_ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    """Every run of ``n`` consecutive ``words`` (shingles), in order."""
    return list(zip(*(words[k:] for k in range(n))))


def stat_columns(stats: np.ndarray, *names: str) -> np.ndarray:
    """The named columns of a ``text_stats`` matrix (one name: a vector)."""
    idx = [TEXT_STATS.index(n) for n in names]
    return stats[:, idx[0]] if len(idx) == 1 else stats[:, idx]


def shift(arr: np.ndarray, d: int, pad: float) -> np.ndarray:
    """``out[i] = arr[i - d]`` (the unit ``d`` before; ``d < 0``: after), ``pad`` past the ends."""
    out = np.full(arr.shape[0], pad, dtype=np.float32)
    if 0 < d < arr.shape[0]:
        out[d:] = arr[:-d]
    elif 0 < -d < arr.shape[0]:
        out[:d] = arr[-d:]
    return out


def best_span(gain: np.ndarray) -> tuple[int, int]:
    """The contiguous run ``[a, b]`` with the largest sum of ``gain`` (Kadane, vectorised)."""
    cum = np.concatenate(([0.0], np.cumsum(gain)))
    # index of the running minimum of cum[0..j-1] for every j
    run_min = np.minimum.accumulate(cum)
    low_idx = np.maximum.accumulate(np.where(cum <= run_min, np.arange(cum.size), 0))
    best_end = int(np.argmax(cum[1:] - run_min[:-1])) + 1
    return int(low_idx[best_end - 1]), best_end - 1


# Character classes, one bit each, looked up per code point (BMP) in one table.
(
    C_WORD,
    C_UPPER,
    C_LOWER,
    C_DIGIT,
    C_SENT,
    C_COMMA,
    C_SEP,
    C_CJK,
    C_CJKFN,
    C_ENDP,
    C_ALPHA,
    C_SPACE,
    C_DECIMAL,
    C_CODE,
) = (1 << i for i in range(14))


def _letter_flags(c: str) -> int:
    """The flags of a character that come from its Unicode properties."""
    f = 0
    if c.isalnum() or c == "_":  # exactly what the regex \w matches
        f |= C_WORD
        if c.islower():
            f |= C_LOWER
        if c.isdigit():
            f |= C_DIGIT
    if c.isupper():  # some upper-case symbols ("Ⓐ") are not \w
        f |= C_UPPER
    if c.isalpha():
        f |= C_ALPHA
    if c.isspace():  # exactly what the regex \s matches
        f |= C_SPACE
    if c.isdecimal():  # exactly what the regex \d matches
        f |= C_DECIMAL
    return f


@lru_cache(maxsize=1)
def _char_table() -> np.ndarray:
    """Flags of every BMP code point (built once, on first use: ~30 ms); the
    punctuation and CJK classes are all in the BMP."""
    table = np.fromiter((_letter_flags(chr(i)) for i in range(0x10000)), dtype=np.uint16, count=0x10000)
    for chars, flag in (
        (".!?。！？…", C_SENT), (",;:，、；：", C_COMMA), ("|•·»«›‹/>", C_SEP),
        (".!?。！？\"'”»)…:", C_ENDP), (CJK_FUNCTION_CHARS, C_CJKFN), (_CODE_CHARS, C_CODE),
    ):  # fmt: skip
        for c in chars:
            table[ord(c)] |= flag
    for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF)):
        table[lo : hi + 1] |= C_CJK
    return table


@dataclass(slots=True)
class Chars:
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
    def of(cls, texts: list[str]) -> Chars:
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
        word = (flags & C_WORD) != 0
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


def hash_words(words) -> np.ndarray:
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
    """The hash of each run of word characters (``word``, starting at ``wstart``) of ``text``
    (in C where the compiled core is built: ``_core.word_hashes``, the same integers)."""
    if _CORE is not None:
        out = np.empty(np.count_nonzero(wstart[: len(text)]), dtype=np.uint64)
        _CORE.word_hashes(text, np.ascontiguousarray(word[: len(text)]), int(_HASH_BASE), out)
        return out
    return _word_hashes_numpy(text, word, wstart)


def _word_hashes_numpy(text: str, word: np.ndarray, wstart: np.ndarray) -> np.ndarray:
    at = np.flatnonzero(word[: len(text)])
    if not at.size:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[at].astype(np.uint64)
    first = np.flatnonzero(wstart[at])  # index into ``at`` of each word's first character
    offset = np.arange(at.size) - np.repeat(first, np.diff(np.append(first, at.size)))
    with np.errstate(over="ignore"):
        return np.add.reduceat(cp * _powers(int(offset.max()) + 1)[offset], first, dtype=np.uint64)


def _check_core(core) -> None:
    """Raise unless ``core.word_hashes`` gives ``_word_hashes_numpy``'s hashes on
    a probe text: one-, two- and four-byte code points, astral ones, words at
    both ends, long words (the powers wrap modulo 2**64)."""
    text = "élan 7 days: Ärger-über x 東京タワー 𝔘nicode_\U0001f600 " + "w" * 70 + " ok" + "z"
    flags = np.array([c.isalnum() or c == "_" for c in text] + [False])
    wstart = flags.copy()
    wstart[1:] &= ~flags[:-1]
    out = np.empty(np.count_nonzero(wstart), dtype=np.uint64)
    core.word_hashes(text, np.ascontiguousarray(flags[: len(text)]), int(_HASH_BASE), out)
    if out.tobytes() != _word_hashes_numpy(text, flags, wstart).tobytes():
        raise ImportError("its word hashes differ from NumPy's on the probe text")


_CORE = checked_core("word hashes", _check_core)


def _hash_in(hashes: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``hashes`` are in ``sorted_set`` (a sorted array of hashes): for a
    page's own small sets (its title's words); the fixed word lists, looked up
    for every word of every page, use the faster ``HashSet``."""
    if not sorted_set.size:
        return np.zeros(hashes.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, hashes), sorted_set.size - 1)
    return sorted_set[pos] == hashes


class HashSet:
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


_STOPWORD_HASHES = HashSet(hash_words(STOPWORDS))
_CHROME_HASHES = HashSet(hash_words(CHROME_WORDS))


def chrome_share(chars: Chars, words: np.ndarray) -> np.ndarray:
    """Per text: the share of its ``words`` that are chrome words (``CHROME_WORDS``)."""
    hashed = chars.words()
    if hashed is None:
        return np.zeros(words.size)
    hits = np.bincount(hashed[1], weights=_CHROME_HASHES.contains(hashed[0]), minlength=words.size)
    return hits / np.maximum(words, 1.0)


def upper_share(chars: Chars) -> np.ndarray:
    """Per text: upper-case characters over letters (BMP characters; 0 without letters)."""
    return chars.count((chars.flags & C_UPPER) != 0) / np.maximum(chars.count((chars.flags & C_ALPHA) != 0), 1.0)


def text_stats(texts: list[str], title_tokens: frozenset[str], chars: Chars | None = None) -> np.ndarray:
    """Per-text statistics for a whole page at once (columns: ``TEXT_STATS``),
    from one pass over the page's code points."""
    n = len(texts)
    chars = chars or Chars.of(texts)
    flags, per_block = chars.flags, chars.count
    n_words, stop_hits, title_hits = _word_counts(texts, title_tokens, chars)
    n_chars = chars.lens.astype(np.float64)
    cjk = per_block((flags & C_CJK) != 0)
    # CJK text (no spaces between words) is measured in characters
    cjk_mode = cjk > 0.3 * n_chars
    eff_words = np.where(cjk_mode, np.maximum(n_words, cjk // 2), n_words)
    denom = np.maximum(eff_words, 1.0)
    wdenom = np.maximum(n_words, 1.0)
    stop_ratio = np.where(cjk_mode, per_block((flags & C_CJKFN) != 0) / np.maximum(cjk, 1.0), stop_hits / wdenom)
    avg_len = np.where(cjk_mode, 1.0, per_block(chars.word) / wdenom)
    cap = np.where(cjk_mode, 0.0, per_block(chars.wstart & ((flags & C_UPPER) != 0)) / wdenom)
    overlap = title_hits / np.maximum(wdenom, len(title_tokens)) if title_tokens else np.zeros(n)
    first, last = _edge_flags(chars)
    digits = per_block((flags & C_DIGIT) != 0)
    return np.column_stack(
        [
            per_block((flags & C_SENT) != 0) / denom,
            per_block((flags & C_COMMA) != 0) / denom,
            (last & C_ENDP) != 0,
            stop_ratio,
            avg_len,
            cap,
            digits / np.maximum(n_chars, 1.0),
            per_block((flags & C_SEP) != 0) / denom,
            _dateish(texts, digits),
            _copyright(texts, chars),
            cjk / np.maximum(n_chars, 1.0),
            _repeats(texts),
            overlap,
            (first & C_LOWER) != 0,
            eff_words,
        ]
    ).astype(np.float32)


def _word_counts(
    texts: list[str], title_tokens: frozenset[str], chars: Chars
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: its words, its function words and its title words, matched
    on the page's words at once by hash."""
    n = len(texts)
    n_words = chars.count(chars.wstart)
    words = chars.words()
    if words is not None:
        hashes, owner = words
        stop_hits = np.bincount(owner, weights=_STOPWORD_HASHES.contains(hashes), minlength=n)
        title_hits = (
            np.bincount(owner, weights=_hash_in(hashes, np.unique(hash_words(title_tokens))), minlength=n)
            if title_tokens
            else np.zeros(n)
        )
    else:  # lower-casing changed the length ("İ"): text by text
        stop_hits = np.zeros(n)
        title_hits = np.zeros(n)
        for i, t in enumerate(texts):
            ws = _WORD.findall(t.lower())
            stop_hits[i] = sum(w in STOPWORDS for w in ws)
            title_hits[i] = sum(w in title_tokens for w in ws)
            n_words[i] = len(ws)
    return n_words, stop_hits, title_hits


def _edge_flags(chars: Chars) -> tuple[np.ndarray, np.ndarray]:
    """Per text: the class flags of its first and of its last character (0 when empty)."""
    size, lens, starts, flags = len(chars.joined), chars.lens, chars.starts, chars.flags
    if not size:
        return np.zeros(lens.size, np.uint16), np.zeros(lens.size, np.uint16)
    nonempty = lens > 0
    first = np.where(nonempty, flags[np.minimum(starts, max(size - 1, 0))], 0)
    last = np.where(nonempty, flags[np.maximum(starts + lens - 1, 0)], 0)
    return first, last


def _dateish(texts: list[str], digits: np.ndarray) -> np.ndarray:
    """Per text: does it hold a year, a d/m/y date or a time (``_DATEISH``)?"""
    out = np.zeros(len(texts))
    for i in np.flatnonzero(digits >= 3):  # each of them needs 3+ digits
        if _DATEISH.search(texts[i]):
            out[i] = 1.0
    return out


def _copyright(texts: list[str], chars: Chars) -> np.ndarray:
    """Per text: does it hold a copyright mark (``_COPYRIGHT``, in lower case)?"""
    out = np.zeros(len(texts))
    lower, ids = chars.lower, chars.ids
    if len(lower) == len(chars.joined):  # lower() can change lengths ("İ"); positions must line up
        for needle in _COPYRIGHT:
            at = lower.find(needle)
            while at >= 0:
                out[ids[at]] = 1.0
                at = lower.find(needle, at + 1)
    else:
        for i, t in enumerate(texts):
            tl = t.lower()
            out[i] = any(needle in tl for needle in _COPYRIGHT)
    return out


def _repeats(texts: list[str]) -> np.ndarray:
    """Per text: how many other texts of the page are the same (by string hash)."""
    _, same, repeats = np.unique(
        np.fromiter(map(hash, texts), dtype=np.int64, count=len(texts)), return_inverse=True, return_counts=True
    )
    return repeats[same.ravel()] - 1.0


def sequence_context(p1: np.ndarray, w: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Stage-1 scores around each unit of a sequence (blocks or lines), shared by both models.

    Returns three groups of columns: the scores at ``CONTEXT_OFFSETS``; the
    5-unit window max and mean, the page mean and the unit's rank; and the
    contiguity prior (inside the span with the largest ``w``-weighted sum of
    ``p1 - 0.5``, distance to it, the span's share of the scored text)."""
    n = p1.shape[0]
    shifts = [shift(p1, -o, -1.0) for o in CONTEXT_OFFSETS]
    win = np.lib.stride_tricks.sliding_window_view(np.pad(p1, 2, constant_values=0.0), 5)
    order = np.argsort(np.argsort(-p1, kind="stable"), kind="stable")
    window = [win.max(axis=1), win.mean(axis=1), np.full(n, float(p1.mean())), order / max(n - 1, 1)]
    a, b = best_span((p1 - 0.5) * np.sqrt(w))
    idx = np.arange(n)
    dist = np.where(idx < a, a - idx, np.where(idx > b, idx - b, 0))
    wp = w * p1
    span = [(idx >= a) & (idx <= b), np.minimum(dist, 100), np.full(n, float(wp[a : b + 1].sum() / max(wp.sum(), 1.0)))]
    return shifts, window, span


_PERSON_HASHES = HashSet(hash_words(PERSON_WORDS))
#: The columns of ``voice_stats``: the share of a text's words that are first-
#: or second-person pronouns (a comment's voice), and the share of its
#: characters that are program punctuation (script source shown as text).
VOICE_STATS: tuple[str, ...] = ("person_ratio", "code_ratio")


def voice_stats(chars: Chars, words: np.ndarray) -> np.ndarray:
    """Per text, the ``VOICE_STATS`` columns; ``words`` as ``text_stats`` counts them."""
    hashed = chars.words()
    n = words.size
    person = (
        np.bincount(hashed[1], weights=_PERSON_HASHES.contains(hashed[0]), minlength=n)
        if hashed is not None
        else np.zeros(n)
    )
    code = chars.count((chars.flags & C_CODE) != 0) / np.maximum(chars.lens, 1)
    return np.column_stack([person / np.maximum(words, 1.0), code]).astype(np.float32)
